import type { Config } from '#shared/config.js';
import { decisionOf, impliesConsent, UNDECIDED } from '#shared/consent/call-decision.js';
import { mayRecord } from '#shared/consent/policy.js';
import { CallErasedError, type CallDecision, type ConsentRecord, type ConsentStore } from '#shared/consent/types.js';
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
  /**
   * The call's global data as SignalWire echoes it. Read for {@link RECORDING_REFUSED} only, which
   * can only block: anyone who can post a SWAIG request can write global data, so nothing in it
   * (e.g. `recording_mode`) may ever widen what is recorded.
   */
  globalData: Record<string, unknown>;
  /** The decision signed into this request's URL for this call, if it verified (shared/consent/call-decision.ts). */
  signedDecision: CallDecision | undefined;
  consent: ConsentStore;
  config: Config;
}

/** Why recording is off on a call whose data was erased. */
const ERASED_REASON = "this call's data was erased at the caller's request";

/**
 * Where the consent for a call stands, as far as recording is concerned. Where the SWML document
 * decided disclose-and-record under a one-party rule, the disclosure itself is the basis, so the
 * first look records that implied consent (and the caller can still decline or withdraw). The
 * decision is the stored one (the call's consent record), else the one signed for this call into
 * the request's URL, else undecided (consent-first, unknown jurisdiction): never `global_data` or
 * the request's caller number. Any storage fault means "no consent": recording fails closed.
 */
async function consentForRecording(context: GateContext): Promise<{ record?: ConsentRecord; reason: string }> {
  try {
    // A refusal whose write was lost (storage down) still stands: the flag can only ever block.
    if (context.globalData[RECORDING_REFUSED] === true) return { reason: 'the caller refused recording' };
    let record = await context.consent.getConsent(context.callId);
    if (!record || record.state === 'pending') {
      const decision = record ? decisionOf(record) : (context.signedDecision ?? UNDECIDED);
      // Today's configuration must still allow it too (the stricter of the two wins).
      if (impliesConsent(decision) && context.config.RECORDING_MODE === 'disclose-and-record') {
        record = await grantImpliedConsent(context.consent, context.callId, decision);
      }
    }
    if (mayRecord(record)) return { record, reason: 'granted' };
    return { record, reason: record ? `consent is ${record.state}` : 'no consent on record' };
  } catch (error) {
    if (error instanceof CallErasedError) return { reason: ERASED_REASON };
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
  // Nothing about an erased call is written, not even this (the store would refuse it anyway).
  if (verdict.reason === ERASED_REASON) return withoutRecording(result, verdict.reason);
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
