import type { Context } from 'aws-lambda';
import { getConfig } from '../config.js';
import { loadSecrets } from '../aws/secrets.js';
import { DynamoConsentStore } from '../consent/dynamo-consent-store.js';
import type { ConsentStore } from '../consent/types.js';
import type { HttpEvent } from '../http/middleware.js';
import { publicBaseUrl } from '../http/public-url.js';
import { json, type HttpResult } from '../http/response.js';
import { dispatchSwaig } from '../swaig/dispatch.js';
import { FunctionResult } from '../swaig/function-result.js';
import { enforceRecordingConsent } from './consent-gate.js';
import { auditRecordingActions, auditSecureToolUse } from './recording-audit.js';
import { agentUrls, RECORDING_CONTROL_ID } from './settings.js';
import { agentTools, type AgentDeps } from './tools.js';

let consentStore: ConsentStore | undefined;

/** Module-scope store: one SDK client reused across warm invocations. */
function consent(): ConsentStore {
  consentStore ??= new DynamoConsentStore();
  return consentStore;
}

/** A storage fault mid-tool: switch recording off and say so. Fail closed. */
function failClosed(): FunctionResult {
  return new FunctionResult(
    'A system problem occurred, so recording has been switched off for safety. Apologise briefly and continue helping the caller without recording.',
  ).stopRecordCall(RECORDING_CONTROL_ID);
}

/** POST /swaig: the recording agent's SWAIG endpoint. */
export async function swaigCore(event: HttpEvent, _context?: Context): Promise<HttpResult> {
  const config = getConfig();
  const secrets = await loadSecrets(config);
  const deps: AgentDeps = {
    consent: consent(),
    config,
    urls: agentUrls(publicBaseUrl(event, config), secrets.username, secrets.password, config),
    callerHashSecret: secrets.callerHashSecret,
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
      const gated = await enforceRecordingConsent(result, {
        callId: call.callId,
        callerNumber: call.callerNumber,
        consent: deps.consent,
        config,
        callerHashSecret: secrets.callerHashSecret,
      });
      return auditRecordingActions(gated, tool.name, call.callId, deps.consent);
    },
  });
  return json(200, response);
}

/** Tests swap the store (e.g. for one whose storage is down). */
export function useConsentStoreForTests(store: ConsentStore | undefined): void {
  consentStore = store;
}
