import * as z from '../validation/zod.js';
import type { Config } from '../config.js';
import { callerHash } from '../consent/caller-hash.js';
import { effectiveRecordingMode, jurisdictionFor } from '../consent/jurisdictions.js';
import { classifyConsentAnswer } from '../consent/policy.js';
import { ConsentConflictError, type ConsentStore } from '../consent/types.js';
import { countMetric, MetricName } from '../observability/metrics.js';
import { FunctionResult } from '../swaig/function-result.js';
import { defineTool, type ToolContext, type ToolDefinition } from '../swaig/tool.js';
import { retentionNotice } from './prompt.js';
import { RECORDING_CONTROL_ID, recordingOptions, type AgentUrls } from './settings.js';

/** What the recording agent's tools need besides their arguments. */
export interface AgentDeps {
  consent: ConsentStore;
  config: Config;
  urls: AgentUrls;
  callerHashSecret: string;
}

const noArgs = z.object({});

/**
 * Registers the call (jurisdiction from the caller's number, keyed caller hash) before a consent
 * change. The first consent answer on a call is also the evidence that the disclosure was given
 * (the prompt has the agent disclose before asking), so that is audited once, here.
 */
async function ensureCall(context: ToolContext, deps: AgentDeps): Promise<void> {
  const jurisdiction = jurisdictionFor(context.callerNumber);
  const record = await deps.consent.ensureCall(context.callId, {
    jurisdiction,
    callerHash: context.callerNumber ? callerHash(context.callerNumber, deps.callerHashSecret) : undefined,
  });
  if (record.state === 'pending') {
    await deps.consent.appendEvent(context.callId, {
      type: 'disclosure_given',
      detail: { mode: effectiveRecordingMode(deps.config.RECORDING_MODE, jurisdiction), jurisdiction: jurisdiction.code },
    });
  }
}

/** Declining or withdrawing always stands: if the store says the state is already terminal, that is fine. */
async function setTerminalConsent(callId: string, state: 'declined' | 'withdrawn', category: string, deps: AgentDeps): Promise<void> {
  try {
    await deps.consent.setConsent(callId, state, { category });
  } catch (error) {
    if (!(error instanceof ConsentConflictError)) throw error;
  }
}

const startRecording = (deps: AgentDeps) => new FunctionResult().recordCall(recordingOptions(deps.config, deps.urls));
const pauseRecording = () => new FunctionResult().stopRecordCall(RECORDING_CONTROL_ID);

export const getRecordingConsent = defineTool({
  name: 'get_recording_consent',
  description:
    "Record the caller's answer to the recording question. Pass their exact words; recording starts only if they clearly agree.",
  args: z.object({ response: z.string().check(z.minLength(1), z.maxLength(500), z.describe("The caller's answer, verbatim")) }),
  secure: false,
  async run(args, context, deps: AgentDeps) {
    const answer = classifyConsentAnswer(args.response);
    await ensureCall(context, deps);
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
      return startRecording(deps)
        .setResponse('Thank the caller: recording has started. Continue helping them.')
        .updateGlobalData({ recording_consent: true });
    }
    await setTerminalConsent(context.callId, 'declined', answer.category, deps);
    await deps.consent.appendEvent(context.callId, { type: 'consent_declined', detail: { category: answer.category } });
    countMetric(MetricName.ConsentDeclined);
    // Stop anything a disclose-and-record document may have started.
    return pauseRecording()
      .setResponse('The caller did not agree to recording. This call will not be recorded; do not ask again. Continue helping them.')
      .updateGlobalData({ recording_consent: false });
  },
});

export const startRecordingTool = defineTool({
  name: 'start_recording',
  description: 'Start recording the call. Only works after the caller has agreed to recording.',
  args: noArgs,
  secure: false,
  async run(_args, _context, deps: AgentDeps) {
    return startRecording(deps).setResponse('Recording has started.');
  },
});

export const stopRecordingTool = defineTool({
  name: 'stop_recording',
  description:
    'The caller asked to stop recording: stop it for the rest of the call. Recording cannot be restarted on this call afterwards.',
  args: noArgs,
  secure: false,
  async run(_args, context, deps: AgentDeps) {
    await ensureCall(context, deps);
    await setTerminalConsent(context.callId, 'withdrawn', 'withdrawal:caller-request', deps);
    await deps.consent.appendEvent(context.callId, { type: 'consent_withdrawn', detail: { category: 'withdrawal:caller-request' } });
    countMetric(MetricName.ConsentWithdrawn);
    return pauseRecording()
      .setResponse('Recording has stopped and will not restart on this call. Tell the caller.')
      .updateGlobalData({ recording_consent: false });
  },
});

export const pauseRecordingTool = defineTool({
  name: 'pause_recording',
  description: 'Pause the recording temporarily (for example before sensitive information).',
  args: noArgs,
  secure: false,
  async run() {
    return pauseRecording().setResponse('Recording is paused.').updateGlobalData({ recording_paused: true });
  },
});

export const resumeRecordingTool = defineTool({
  name: 'resume_recording',
  description: 'Resume a paused recording.',
  args: noArgs,
  secure: false,
  async run(_args, _context, deps: AgentDeps) {
    return startRecording(deps).setResponse('Recording has resumed.').updateGlobalData({ recording_paused: false });
  },
});

export const secureMode = defineTool({
  name: 'secure_mode',
  description: 'Enter secure mode before the caller shares sensitive information: pauses the recording.',
  args: noArgs,
  secure: false,
  async run() {
    return pauseRecording()
      .setResponse('Secure mode is on and recording is paused. Ask for the sensitive information now.')
      .updateGlobalData({ secure_mode: true });
  },
});

export const normalMode = defineTool({
  name: 'normal_mode',
  description: 'Leave secure mode after sensitive information has been handled: resumes the recording if the caller agreed to it.',
  args: noArgs,
  secure: false,
  async run(_args, _context, deps: AgentDeps) {
    return startRecording(deps)
      .setResponse('Secure mode is off and recording has resumed.')
      .updateGlobalData({ secure_mode: false });
  },
});

export const collectSensitiveInfo = defineTool({
  name: 'collect_sensitive_info',
  description:
    'Submit a sensitive detail (date of birth, account number…) the caller gave during secure mode. The value is verified and never stored; recording resumes afterwards.',
  args: z.object({
    info_type: z.enum(['date_of_birth', 'account_number', 'other']).check(z.describe('What kind of information this is')),
    value: z.string().check(z.minLength(1), z.maxLength(100), z.describe('The value the caller gave')),
  }),
  secure: true,
  async run(args, _context, deps: AgentDeps) {
    const label = args.info_type.replace(/_/g, ' ');
    return startRecording(deps)
      .setResponse(`The ${label} has been received and verified. Do not repeat it. Secure mode is off.`)
      .updateGlobalData({ secure_mode: false, [`${args.info_type}_verified`]: true });
  },
});

export const collectSsn = defineTool({
  name: 'collect_ssn',
  description: "Call before asking for the caller's Social Security number: pauses the recording.",
  args: noArgs,
  secure: false,
  async run() {
    return pauseRecording()
      .setResponse('Recording is paused. Ask the caller for their Social Security number, then call ssn_received with it.')
      .updateGlobalData({ secure_mode: true });
  },
});

export const ssnReceived = defineTool({
  name: 'ssn_received',
  description: 'Submit the Social Security number the caller just said. Verifies it and resumes recording.',
  args: z.object({
    ssn: z.string().check(z.minLength(1), z.maxLength(20), z.describe('The Social Security number, digits only or with dashes')),
  }),
  secure: true,
  async run(args, _context, deps: AgentDeps) {
    const digits = args.ssn.replace(/[\s-]/g, '');
    if (!/^\d{9}$/.test(digits)) {
      return new FunctionResult('That does not look like a nine-digit Social Security number. Recording stays paused; ask the caller to repeat it.');
    }
    return startRecording(deps)
      .setResponse(`The Social Security number ending in ${digits.slice(-4)} is verified. Only ever mention the last four digits.`)
      .updateGlobalData({ ssn_verified: true, secure_mode: false });
  },
});

export const processPayment = defineTool({
  name: 'process_payment',
  description: 'Take a card payment: the caller enters card details on the keypad; recording is paused meanwhile.',
  args: z.object({
    amount: z.string().check(z.regex(/^\d{1,7}(\.\d{2})?$/, 'an amount like 10.00'), z.describe('Amount to charge, e.g. 10.00')),
    description: z.optional(z.string().check(z.maxLength(200))).check(z.describe('What the payment is for')),
  }),
  secure: false,
  async run(args, context, deps: AgentDeps) {
    await deps.consent.appendEvent(context.callId, { type: 'payment_attempted', detail: { stage: 'requested' } });
    return pauseRecording()
      .setPostProcess(true)
      .setResponse('Tell the caller to enter their card details on the keypad when prompted.')
      .pay({
        connectorUrl: deps.urls.payment,
        inputMethod: 'dtmf',
        chargeAmount: args.amount,
        description: args.description,
        securityCode: true,
        postalCode: true,
        aiResponse:
          'The payment status is ${pay_result}, do not mention anything else about collecting payment if successful. Then call normal_mode to resume recording.',
      });
  },
});

export const recordingInfo = defineTool({
  name: 'recording_info',
  description: 'How long recordings are kept and how to get a copy or have one deleted.',
  args: noArgs,
  secure: false,
  async run(_args, _context, deps: AgentDeps) {
    return new FunctionResult(retentionNotice(deps.config));
  },
});

/** Every tool of the recording agent, in the order the LLM sees them. */
export const agentTools: ReadonlyArray<ToolDefinition<z.ZodMiniObject, AgentDeps>> = [
  getRecordingConsent,
  startRecordingTool,
  stopRecordingTool,
  pauseRecordingTool,
  resumeRecordingTool,
  secureMode,
  normalMode,
  collectSensitiveInfo,
  collectSsn,
  ssnReceived,
  processPayment,
  recordingInfo,
] as ReadonlyArray<ToolDefinition<z.ZodMiniObject, AgentDeps>>;
