import type { RecordingMode } from '#shared/config.js';
import { mayRecord } from '#shared/consent/policy.js';
import {
  AGENT_CONTROL_ID,
  afterStop,
  isRunning,
  updateRecordingControl,
  type ControlFields,
} from '#shared/consent/recording-control.js';
import type { ConsentStore } from '#shared/consent/types.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import {
  isRecordCallAction,
  isStopRecordCallAction,
  type FunctionResult,
  type SwaigAction,
} from '#shared/swaig/function-result.js';
import { withoutRecording } from './consent-gate.js';

/** Tools that begin collecting sensitive data (recording must be off until collection ends). */
const BEGINS_COLLECTION: ReadonlySet<string> = new Set(['secure_mode', 'collect_ssn', 'process_payment']);
/** Tools that end collection, when they resume the recording (ssn_received with a bad number does not). */
export const ENDS_COLLECTION: ReadonlySet<string> = new Set(['normal_mode', 'collect_sensitive_info', 'ssn_received']);

export interface RecordingStateContext {
  callId: string;
  toolName: string;
  consent: ConsentStore;
  retentionDays: number;
  /**
   * The mode the SWML document decided (stored, else signed): disclose-and-record started a
   * recording itself. Asked only when the result touches the recording, as it reads storage:
   * a tool that neither starts nor stops one must not pay for that read.
   */
  decidedMode: () => Promise<RecordingMode | undefined>;
  /** This tool ends secure collection (see {@link ENDS_COLLECTION}). */
  endsCollection: boolean;
}

export interface ControlledResult {
  result: FunctionResult;
  /** Set when a record_call was claimed: call it if the record_call does not go out after all. */
  undoStart?: () => Promise<void>;
}

/** The `control_id` of every `verb` in an SWML action ('' for one without). */
function controlIdsOf(action: SwaigAction, verb: string): string[] {
  const ids: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === verb) {
        const id = inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>).control_id : undefined;
        ids.push(typeof id === 'string' ? id : '');
      }
      visit(inner);
    }
  };
  let swml = action.SWML;
  if (typeof swml === 'string') {
    try {
      swml = JSON.parse(swml) as unknown;
    } catch {
      return [''];
    }
  }
  visit(swml);
  return ids;
}

/**
 * Whether every verb of the SWML action's sections is `verb`. An action that also does something
 * else (process_payment's stop-then-pay document) is never dropped: only its recording effect counts.
 */
function onlyVerb(action: SwaigAction, verb: string): boolean {
  let swml = action.SWML;
  if (typeof swml === 'string') {
    try {
      swml = JSON.parse(swml) as unknown;
    } catch {
      return false;
    }
  }
  const sections = (swml as { sections?: Record<string, unknown> } | null)?.sections;
  if (!sections || typeof sections !== 'object') return false;
  const verbs = Object.values(sections).flatMap((steps) =>
    Array.isArray(steps) ? steps.map((step) => (step && typeof step === 'object' ? Object.keys(step) : [String(step)])) : [['?']],
  );
  return verbs.length > 0 && verbs.every((keys) => keys.length === 1 && keys[0] === verb);
}

/**
 * The action without its top-level `verb` steps (object-form SWML; anything else is returned
 * unchanged): process_payment's stop-then-pay document keeps its pay when nothing is recording.
 */
function withoutVerb(action: SwaigAction, verb: string): SwaigAction {
  const swml = action.SWML as { sections?: Record<string, unknown> } | string | undefined;
  if (!swml || typeof swml !== 'object' || !swml.sections) return action;
  const sections = Object.fromEntries(
    Object.entries(swml.sections).map(([name, steps]) => [
      name,
      Array.isArray(steps) ? steps.filter((step) => !(step && typeof step === 'object' && Object.hasOwn(step, verb))) : steps,
    ]),
  );
  return { ...action, SWML: { ...swml, sections } };
}

/** The action with `segment=<n>` added to each record_call's status_url, so its callbacks say which segment they are about. */
function withSegment(action: SwaigAction, segment: number): SwaigAction {
  const swml = action.SWML as { sections?: Record<string, unknown> } | string | undefined;
  if (!swml || typeof swml !== 'object' || !swml.sections) return action;
  const tag = (step: unknown): unknown => {
    const params = step && typeof step === 'object' ? (step as Record<string, unknown>).record_call : undefined;
    if (!params || typeof params !== 'object') return step;
    const url = (params as Record<string, unknown>).status_url;
    if (typeof url !== 'string') return step;
    const tagged = new URL(url);
    tagged.searchParams.set('segment', String(segment));
    return { ...(step as object), record_call: { ...params, status_url: tagged.toString() } };
  };
  const sections = Object.fromEntries(
    Object.entries(swml.sections).map(([name, steps]) => [name, Array.isArray(steps) ? steps.map(tag) : steps]),
  );
  return { ...action, SWML: { ...swml, sections } };
}

type Skip = 'already_running' | 'collecting' | 'not_running' | 'consent_changed';

/**
 * One recording at a time, and the server knows which (issue #11 point 2). Runs after the
 * consent gate, on the actions that would leave:
 * - a `record_call` goes out only for the agent's control id, only if nothing runs under it and
 *   no secure tool is collecting data, and only once its claim (status `starting`) is stored by a
 *   conditional write, so two concurrent requests cannot both start; consent is read again after
 *   the claim, so a withdrawal stored meanwhile wins (its stop saw our claim, or we see it);
 * - a `stop_record_call` goes out only if something runs; else the tool's reply stands without it;
 * - storage fault → no `record_call` (fail closed); stops still go out (stopping is always safe).
 * Every skipped action is audited (`recording_skipped`), best effort.
 */
export async function controlRecordingActions(result: FunctionResult, ctx: RecordingStateContext): Promise<ControlledResult> {
  let working = result;
  if (
    working.actions.some((a) => isRecordCallAction(a) && controlIdsOf(a, 'record_call').some((id) => id !== AGENT_CONTROL_ID))
  ) {
    countMetric(MetricName.RecordingBlocked);
    working = withoutRecording(working, `a recording must use control id "${AGENT_CONTROL_ID}"`);
  }
  const wantsStart = working.actions.some(isRecordCallAction);
  const wantsStop = working.actions.some(isStopRecordCallAction);
  const begins = BEGINS_COLLECTION.has(ctx.toolName);
  if (!wantsStart && !wantsStop && !begins && !ctx.endsCollection) return { result: working };
  const ids = { callId: ctx.callId, controlId: AGENT_CONTROL_ID };
  const initial = (await ctx.decidedMode()) === 'disclose-and-record' ? 'starting' : 'idle';

  let outcome: { emitStart: boolean; emitStop: boolean; skips: Array<[string, Skip]>; segment: number | undefined };
  try {
    ({ value: outcome } = await updateRecordingControl(ctx.consent, ids, initial, ctx.retentionDays, (current) => {
      let next: ControlFields = { ...current, collecting: begins ? true : ctx.endsCollection ? false : current.collecting };
      const skips: Array<[string, Skip]> = [];
      let emitStop = false;
      let emitStart = false;
      if (wantsStop) {
        if (isRunning(next)) {
          next = afterStop(next);
          emitStop = true;
        } else skips.push(['stop_record_call', 'not_running']);
      }
      if (wantsStart) {
        if (next.collecting) skips.push(['record_call', 'collecting']);
        else if (isRunning(next)) skips.push(['record_call', 'already_running']);
        else {
          next = { ...next, status: 'starting', recordingId: undefined, segment: (next.segment ?? 0) + 1 };
          emitStart = true;
        }
      }
      return { next, value: { emitStart, emitStop, skips, segment: next.segment } };
    }));
  } catch (error) {
    logger.error('recording state could not be stored; no record_call', { tool: ctx.toolName, error });
    if (!wantsStart) return { result: working };
    countMetric(MetricName.RecordingBlocked);
    return { result: withoutRecording(working, 'the recording state could not be stored') };
  }

  const undoStart = async (): Promise<void> => {
    try {
      await updateRecordingControl(ctx.consent, ids, initial, ctx.retentionDays, (current) => ({
        next: current.status === 'starting' && current.recordingId === undefined ? { ...current, status: 'idle' } : undefined,
        value: undefined,
      }));
    } catch (error) {
      // Left `starting`: no further record_call until a callback or a stop clears it (fails closed).
      logger.error('could not release a recording claim', { error });
    }
  };

  if (outcome.emitStart) {
    // A withdrawal stored between the gate and our claim wins.
    const granted = await ctx.consent.getConsent(ctx.callId).then(mayRecord, () => false);
    if (!granted) {
      await undoStart();
      outcome.emitStart = false;
      outcome.skips.push(['record_call', 'consent_changed']);
      countMetric(MetricName.RecordingBlocked);
      working = withoutRecording(working, 'consent is no longer granted');
    }
  }

  const kept = working.actions
    .filter(
      (a) =>
        !(isRecordCallAction(a) && !outcome.emitStart) &&
        !(isStopRecordCallAction(a) && !outcome.emitStop && onlyVerb(a, 'stop_record_call')),
    )
    .map((a) => (isStopRecordCallAction(a) && !outcome.emitStop ? withoutVerb(a, 'stop_record_call') : a))
    .map((a) => (isRecordCallAction(a) && outcome.segment !== undefined ? withSegment(a, outcome.segment) : a));
  if (outcome.skips.some(([action, reason]) => action === 'record_call' && reason === 'collecting')) {
    working = withoutRecording(working, 'sensitive information is being collected; recording resumes with normal_mode');
  }
  working = working.withActions(kept);
  for (const [action, reason] of outcome.skips) {
    await ctx.consent
      .appendEvent(ctx.callId, { type: 'recording_skipped', detail: { tool: ctx.toolName, action, reason } })
      .catch((error: unknown) => logger.error('could not audit a skipped recording action', { error }));
  }
  return outcome.emitStart ? { result: working, undoStart } : { result: working };
}
