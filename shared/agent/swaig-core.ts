import type { Context } from 'aws-lambda';
import { getConfig, type RecordingMode } from '#shared/config.js';
import { loadSecrets } from '#shared/aws/secrets.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { decidedUrl, decisionFromQuery } from '#shared/consent/call-decision.js';
import { CallErasedError, type ConsentStore } from '#shared/consent/types.js';
import type { HttpEvent } from '#shared/http/middleware.js';
import { publicBaseUrl } from '#shared/http/public-url.js';
import { json, type HttpResult } from '#shared/http/response.js';
import { paymentConnectorUrl } from '#shared/payments/call-token.js';
import { dispatchSwaig } from '#shared/swaig/dispatch.js';
import { FunctionResult, isRecordCallAction } from '#shared/swaig/function-result.js';
import { enforceRecordingConsent, RECORDING_REFUSED } from './consent-gate.js';
import { classifyConsentAnswer } from '#shared/consent/policy.js';
import type { SwaigToolCall } from '#shared/swaig/request.js';
import { auditRecordingActions, auditSecureToolUse } from './recording-audit.js';
import { controlRecordingActions, ENDS_COLLECTION } from './recording-state.js';
import { agentUrls, RECORDING_CONTROL_ID } from './settings.js';
import { agentTools, type AgentDeps } from './tools.js';
import { onInstanceReset } from '#shared/instance.js';

let consentStore: ConsentStore | undefined;

/** Module-scope store: one SDK client reused across warm invocations. */
function consent(): ConsentStore {
  consentStore ??= new DynamoConsentStore();
  return consentStore;
}

/**
 * A storage fault mid-tool: switch recording off and say so. Fail closed. If the failed call was
 * the caller refusing (a "no" or a withdrawal), the refusal is kept in global data, which the
 * gate honours, so it cannot be lost with the write.
 *
 * An erased call (the store refused to write for it): nothing was stored and nothing will be;
 * the AI is told plainly that recording is off for good. No stop_record_call: nothing of ours
 * runs on an erased call (a recording that still arrives is deleted by the webhook).
 */
function failClosed(tool: { name: string }, call: SwaigToolCall, error: unknown): FunctionResult {
  if (error instanceof CallErasedError) {
    return new FunctionResult(
      "Recording is OFF for this call: its data was erased at the caller's request, so nothing on it may be recorded or stored. Do not record, do not ask for recording consent again, and do not say that the call is being recorded. Continue helping the caller.",
    ).updateGlobalData({ recording_consent: false });
  }
  const result = new FunctionResult(
    'A system problem occurred, so recording has been switched off for safety. Apologise briefly and continue helping the caller without recording.',
  ).stopRecordCall(RECORDING_CONTROL_ID);
  return isRefusal(tool.name, call.args)
    ? result.updateGlobalData({ [RECORDING_REFUSED]: true, recording_consent: false })
    : result;
}

function isRefusal(toolName: string, args: Record<string, unknown>): boolean {
  if (toolName === 'stop_recording') return true;
  return toolName === 'get_recording_consent' && classifyConsentAnswer(String(args.response ?? '')).decision === 'declined';
}

/** The stored decision's mode (else the signed one): whether the SWML document started a recording itself. */
async function decidedMode(
  store: ConsentStore,
  callId: string,
  signed: RecordingMode | undefined,
): Promise<RecordingMode | undefined> {
  try {
    const record = await store.getConsent(callId);
    return record ? (record.mode ?? 'consent-first') : signed;
  } catch {
    // Unknown: assume the document may have started one (stops go out; a start is refused until it is known).
    return 'disclose-and-record';
  }
}

/** POST /swaig: the recording agent's SWAIG endpoint. */
export async function swaigCore(event: HttpEvent, _context?: Context): Promise<HttpResult> {
  const config = getConfig();
  const secrets = await loadSecrets(config);
  const urls = agentUrls(publicBaseUrl(event, config), secrets.username, secrets.password, config);
  const deps: AgentDeps = {
    consent: consent(),
    config,
    urls,
    signedDecision: (callId) => decisionFromQuery(event.queryStringParameters, callId, secrets.tokenSecret),
    // A processor's own connector gets its URL as configured; ours learns the call from a signed token.
    recordingStatusUrl: (callId) => {
      const signed = decisionFromQuery(event.queryStringParameters, callId, secrets.tokenSecret);
      return signed ? decidedUrl(urls.recordingStatus, callId, signed, secrets.tokenSecret) : urls.recordingStatus;
    },
    paymentUrl: (callId) =>
      config.PAYMENT_CONNECTOR_URL
        ? urls.payment
        : paymentConnectorUrl(urls.payment, callId, secrets.tokenSecret, config.SECURE_TOKEN_TTL_SECONDS),
  };
  const response = await dispatchSwaig(event.jsonBody, {
    tools: agentTools,
    deps,
    tokenSecret: secrets.tokenSecret,
    token: event.queryStringParameters?.__token,
    onToolFailure: failClosed,
    async finalize(result, tool, call) {
      // Before the gate and the audit below add events: the trail must show the state the data arrived in.
      if (tool.secure) await auditSecureToolUse(tool.name, call.callId, deps.consent);
      const signedDecision = deps.signedDecision(call.callId);
      const gated = await enforceRecordingConsent(result, {
        callId: call.callId,
        globalData: call.globalData,
        signedDecision,
        consent: deps.consent,
        config,
      });
      // What may leave is decided against the stored recording state (one recording at a time).
      const controlled = await controlRecordingActions(gated, {
        callId: call.callId,
        toolName: tool.name,
        consent: deps.consent,
        retentionDays: config.RETENTION_DAYS,
        decidedMode: () => decidedMode(deps.consent, call.callId, signedDecision?.mode),
        endsCollection: ENDS_COLLECTION.has(tool.name) && result.actions.some(isRecordCallAction),
      });
      const audited = await auditRecordingActions(controlled.result, tool.name, call.callId, deps.consent);
      // A claimed start whose audit failed did not go out: release the claim.
      if (controlled.undoStart && !audited.actions.some(isRecordCallAction)) await controlled.undoStart();
      return audited;
    },
  });
  return json(200, response);
}

/** Tests swap the store (e.g. for one whose storage is down); {@link resetInstance} forgets it. */
export function useConsentStoreForTests(store: ConsentStore | undefined): void {
  consentStore = store;
}
onInstanceReset(() => {
  consentStore = undefined;
});
