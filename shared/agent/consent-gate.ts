import type { Config } from '#shared/config.js';
import { callerHash } from '#shared/consent/caller-hash.js';
import { effectiveRecordingMode, jurisdictionFor } from '#shared/consent/jurisdictions.js';
import { mayRecord } from '#shared/consent/policy.js';
import type { ConsentRecord, ConsentStore } from '#shared/consent/types.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { isRecordCallAction, type FunctionResult } from '#shared/swaig/function-result.js';
import { grantImpliedConsent } from '#shared/consent/implied-consent.js';

/**
 * Global-data flag set when the caller refused recording (a "no" or a withdrawal) but the
 * refusal could not be stored. SignalWire sends global data back with every SWAIG request, so
 * the refusal holds for the rest of the call even while storage is down.
 */
export const RECORDING_REFUSED = 'recording_refused';

export interface GateContext {
  callId: string;
  callerNumber?: string;
  /** The call's global data as SignalWire echoes it; see {@link RECORDING_REFUSED} and `recording_mode`. */
  globalData: Record<string, unknown>;
  consent: ConsentStore;
  config: Config;
  callerHashSecret: string;
}

/**
 * Where the consent for a call stands, as far as recording is concerned. In
 * `disclose-and-record` mode a one-party jurisdiction makes the disclosure itself the basis, so
 * the first look records that implied consent (and the caller can still decline or withdraw).
 * Any storage fault means "no consent": recording fails closed.
 */
async function consentForRecording(context: GateContext): Promise<{ record?: ConsentRecord; reason: string }> {
  try {
    // A refusal whose write was lost (storage down) still stands: the flag can only ever block.
    if (context.globalData[RECORDING_REFUSED] === true) return { reason: 'the caller refused recording' };
    let record = await context.consent.getConsent(context.callId);
    if (!record || record.state === 'pending') {
      const jurisdiction = jurisdictionFor(context.callerNumber);
      // Implied consent needs the SWML document to have disclosed and recorded from the start
      // (its global_data says so), not only a one-party number on this request.
      const disclosed = context.globalData.recording_mode === 'disclose-and-record';
      if (disclosed && effectiveRecordingMode(context.config.RECORDING_MODE, jurisdiction) === 'disclose-and-record') {
        const hash = context.callerNumber ? callerHash(context.callerNumber, context.callerHashSecret) : undefined;
        record = await grantImpliedConsent(context.consent, context.callId, jurisdiction, hash);
      }
    }
    if (mayRecord(record)) return { record, reason: 'granted' };
    return { record, reason: record ? `consent is ${record.state}` : 'no consent on record' };
  } catch (error) {
    logger.error('consent lookup failed; recording stays off', { error });
    return { reason: 'consent could not be verified' };
  }
}

/**
 * The server-side consent gate: every `record_call` action (start or resume, from any tool)
 * leaves only if stored consent for this call is `granted`. Otherwise the action is removed and
 * the AI is told that recording is off and why. The prompt cannot talk its way past this.
 */
export async function enforceRecordingConsent(result: FunctionResult, context: GateContext): Promise<FunctionResult> {
  const recordActions = result.actions.filter(isRecordCallAction);
  if (recordActions.length === 0) return result;
  const verdict = await consentForRecording(context);
  if (verdict.reason === 'granted') return result;
  countMetric(MetricName.RecordingBlocked);
  logger.warn('record_call blocked by consent gate', { reason: verdict.reason });
  try {
    await context.consent.appendEvent(context.callId, { type: 'recording_blocked', detail: { reason: verdict.reason } });
  } catch (error) {
    logger.error('could not audit a blocked recording', { error });
  }
  return withoutRecording(result, verdict.reason);
}

/**
 * The result with its `record_call` actions removed, and the AI told that recording is off and
 * why: the tool's own words (e.g. "recording has started") must not reach the caller as fact.
 */
export function withoutRecording(result: FunctionResult, reason: string): FunctionResult {
  const kept = result.actions.filter((action) => !isRecordCallAction(action));
  const toldBefore = result.toDict().response ?? '';
  return result
    .withActions(kept)
    .setResponse(
      `Recording is OFF for this call (${reason}); nothing is being recorded. Do not say that the call is being recorded.` +
        (toldBefore ? ` Disregard any mention of recording in the tool's own result, which follows: ${toldBefore}` : ''),
    );
}
