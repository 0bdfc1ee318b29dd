import type * as z from '#shared/validation/zod.js';
import type { Config } from '#shared/config.js';
import { UNDECIDED } from '#shared/consent/call-decision.js';
import { registerCall } from '#shared/consent/implied-consent.js';
import { classifyConsentAnswer } from '#shared/consent/policy.js';
import { type CallDecision, ConsentConflictError, type ConsentRecord, type ConsentStore } from '#shared/consent/types.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { FunctionResult } from '#shared/swaig/function-result.js';
import { implementTool, type ToolContext, type ToolDefinition } from '#shared/swaig/tool.js';
import * as spec from './tool-specs.js';
import { retentionNotice } from './prompt.js';
import { RECORDING_CONTROL_ID, recordingOptions, type AgentUrls } from './settings.js';

/** What the recording agent's tools need besides their arguments. */
export interface AgentDeps {
  consent: ConsentStore;
  config: Config;
  urls: AgentUrls;
  /** The decision signed into this request's URL, if it verifies for that call id (shared/consent/call-decision.ts). */
  signedDecision(callId: string): CallDecision | undefined;
  /** The payment connector URL for this call (ours carries the call's token: shared/payments/call-token.ts). */
  paymentUrl(callId: string): string;
  /**
   * The status_url for a recording this call's tools start: with the call's signed decision, as
   * the SWML's own recording has, so its callbacks authenticate without basic auth too.
   */
  recordingStatusUrl(callId: string): string;
}

/**
 * Registers the call before a consent change, with the decision the SWML document made (signed
 * into the request's URL) or, without one, as undecided (consent-first, unknown jurisdiction, no
 * caller). A call already registered keeps its stored decision. Never the request's caller
 * number or global data. Throws CallErasedError for an erased call (the tool then fails closed).
 */
async function ensureCall(context: ToolContext, deps: AgentDeps): Promise<ConsentRecord> {
  return registerCall(deps.consent, context.callId, deps.signedDecision(context.callId) ?? UNDECIDED);
}

/** Declining or withdrawing always stands: if the store says the state is already terminal, that is fine. */
async function setTerminalConsent(
  callId: string,
  state: 'declined' | 'withdrawn',
  category: string,
  deps: AgentDeps,
): Promise<void> {
  try {
    await deps.consent.setConsent(callId, state, { category });
  } catch (error) {
    if (!(error instanceof ConsentConflictError)) throw error;
  }
}

const startRecordingResult = (deps: AgentDeps, context: ToolContext) =>
  new FunctionResult().recordCall(
    recordingOptions(deps.config, { ...deps.urls, recordingStatus: deps.recordingStatusUrl(context.callId) }),
  );
const pauseRecordingResult = () => new FunctionResult().stopRecordCall(RECORDING_CONTROL_ID);

/** Every tool of the recording agent with its implementation, in the order the LLM sees them. */
export const agentTools: ReadonlyArray<ToolDefinition<z.ZodMiniObject, AgentDeps>> = [
  implementTool(spec.getRecordingConsent, async (args, context, deps: AgentDeps) => {
    const answer = classifyConsentAnswer(args.response);
    const before = await ensureCall(context, deps);
    if (answer.decision === 'granted') {
      try {
        await deps.consent.setConsent(context.callId, 'granted', { category: answer.category });
      } catch (error) {
        if (!(error instanceof ConsentConflictError)) throw error;
        countMetric(MetricName.ConsentDeclined);
        return new FunctionResult(
          'The caller already declined or withdrew recording consent on this call, so it will not be recorded. Continue without recording.',
        ).updateGlobalData({ recording_consent: false });
      }
      await deps.consent.appendEvent(context.callId, { type: 'consent_granted', detail: { category: answer.category } });
      countMetric(MetricName.ConsentGranted);
      return startRecordingResult(deps, context)
        .setResponse('Thank the caller: recording has started. Continue helping them.')
        .updateGlobalData({ recording_consent: true });
    }
    // A "no" after a "yes" takes back consent that covered what was already recorded: that is a
    // withdrawal (earlier segments stay covered), not a decline from the start.
    const state = before.state === 'granted' ? 'withdrawn' : 'declined';
    await setTerminalConsent(context.callId, state, answer.category, deps);
    const withdrawn = state === 'withdrawn';
    await deps.consent.appendEvent(context.callId, {
      type: withdrawn ? 'consent_withdrawn' : 'consent_declined',
      detail: { category: answer.category },
    });
    countMetric(withdrawn ? MetricName.ConsentWithdrawn : MetricName.ConsentDeclined);
    // Stop anything a disclose-and-record document may have started.
    return pauseRecordingResult()
      .setResponse(
        'The caller did not agree to recording. This call will not be recorded; do not ask again. Continue helping them.',
      )
      .updateGlobalData({ recording_consent: false });
  }),
  implementTool(spec.startRecording, async (_args, context, deps: AgentDeps) => {
    return startRecordingResult(deps, context).setResponse('Recording has started.');
  }),
  implementTool(spec.stopRecording, async (_args, context, deps: AgentDeps) => {
    await ensureCall(context, deps);
    await setTerminalConsent(context.callId, 'withdrawn', 'withdrawal:caller-request', deps);
    await deps.consent.appendEvent(context.callId, {
      type: 'consent_withdrawn',
      detail: { category: 'withdrawal:caller-request' },
    });
    countMetric(MetricName.ConsentWithdrawn);
    return pauseRecordingResult()
      .setResponse('Recording has stopped and will not restart on this call. Tell the caller.')
      .updateGlobalData({ recording_consent: false });
  }),
  implementTool(spec.pauseRecording, async () => {
    return pauseRecordingResult().setResponse('Recording is paused.').updateGlobalData({ recording_paused: true });
  }),
  implementTool(spec.resumeRecording, async (_args, context, deps: AgentDeps) => {
    return startRecordingResult(deps, context)
      .setResponse('Recording has resumed.')
      .updateGlobalData({ recording_paused: false });
  }),
  implementTool(spec.secureMode, async () => {
    return pauseRecordingResult()
      .setResponse('Secure mode is on and recording is paused. Ask for the sensitive information now.')
      .updateGlobalData({ secure_mode: true });
  }),
  implementTool(spec.normalMode, async (_args, context, deps: AgentDeps) => {
    return startRecordingResult(deps, context)
      .setResponse('Secure mode is off and recording has resumed.')
      .updateGlobalData({ secure_mode: false });
  }),
  implementTool(spec.collectSensitiveInfo, async (args, context, deps: AgentDeps) => {
    const label = args.info_type.replace(/_/g, ' ');
    return startRecordingResult(deps, context)
      .setResponse(`The ${label} has been received and verified. Do not repeat it. Secure mode is off.`)
      .updateGlobalData({ secure_mode: false, [`${args.info_type}_verified`]: true });
  }),
  implementTool(spec.collectSsn, async () => {
    return pauseRecordingResult()
      .setResponse('Recording is paused. Ask the caller for their Social Security number, then call ssn_received with it.')
      .updateGlobalData({ secure_mode: true });
  }),
  implementTool(spec.ssnReceived, async (args, context, deps: AgentDeps) => {
    const digits = args.ssn.replace(/[\s-]/g, '');
    if (!/^\d{9}$/.test(digits)) {
      return new FunctionResult(
        'That does not look like a nine-digit Social Security number. Recording stays paused; ask the caller to repeat it.',
      );
    }
    return startRecordingResult(deps, context)
      .setResponse(
        `The Social Security number ending in ${digits.slice(-4)} is verified. Only ever mention the last four digits.`,
      )
      .updateGlobalData({ ssn_verified: true, secure_mode: false });
  }),
  implementTool(spec.processPayment, async (args, context, deps: AgentDeps) => {
    await deps.consent.appendEvent(context.callId, { type: 'payment_attempted', detail: { stage: 'requested' } });
    // No post_process: with it SignalWire lets the AI take one more turn before running the
    // actions, and the caller's next words (card digits read aloud) would be recorded. The pause
    // and the card capture are one SWML document, pause first (docs/protocol.md §7).
    return new FunctionResult('Tell the caller to enter their card details on the keypad when prompted.').pay({
      stopRecording: RECORDING_CONTROL_ID,
      connectorUrl: deps.paymentUrl(context.callId),
      inputMethod: 'dtmf',
      chargeAmount: args.amount,
      securityCode: true,
      postalCode: true,
      aiResponse:
        'The payment status is ${pay_result}, do not mention anything else about collecting payment if successful. Then call normal_mode to resume recording.',
    });
  }),
  implementTool(spec.recordingInfo, async (_args, _context, deps: AgentDeps) => {
    return new FunctionResult(retentionNotice(deps.config));
  }),
] as ReadonlyArray<ToolDefinition<z.ZodMiniObject, AgentDeps>>;
