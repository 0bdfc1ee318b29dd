import { DEFAULTS, type Config } from '#shared/config.js';
import { decideCall, decidedUrl, UNDECIDED } from '#shared/consent/call-decision.js';
import { ai } from '#shared/swml/ai.js';
import { swmlDocument, type SwmlDocument } from '#shared/swml/document.js';
import { answer, recordCall } from '#shared/swml/verbs.js';
import { functionDefinitions } from '#shared/swaig/definitions.js';
import { agentPrompt } from './prompt.js';
import { recordingOptions, type AgentUrls } from './settings.js';
import { agentToolSpecs } from './tool-specs.js';

export interface CallFacts {
  callId?: string;
  callerNumber?: string;
}

export interface SwmlInputs {
  config: Config;
  urls: AgentUrls;
  tokenSecret: string;
  /** Key of the caller hash in the signed decision; without it the decision names no caller. */
  callerHashSecret?: string;
  call: CallFacts;
}

/**
 * The SWML document for one call: answer, then (only where a one-party rule lets the
 * disclosure stand as consent) `record_call`, then the AI agent with its tools. Consent-first
 * is the default and the rule for all-party or unknown jurisdictions.
 *
 * This is where the call's facts are decided (mode, jurisdiction, caller): they go, signed and
 * bound to the call, into every URL SignalWire will call back for it (the SWAIG web hooks and the
 * initial recording's status_url), and the server reads them from there and from what it stored,
 * never from `global_data` (shared/consent/call-decision.ts). Without a call id there is nothing
 * to bind them to: the document is consent-first and the SWAIG side treats the call as undecided.
 */
export function renderAgentSwml({ config, urls, tokenSecret, callerHashSecret, call }: SwmlInputs): SwmlDocument {
  const callId = call.callId;
  const decision = callId ? decideCall(config.RECORDING_MODE, call.callerNumber, callerHashSecret) : UNDECIDED;
  const decided = (url: string): string => (callId ? decidedUrl(url, callId, decision, tokenSecret) : url);
  const { mode, jurisdiction } = decision;
  const recordAtStart = mode === 'disclose-and-record';
  const swaigUrl = decided(urls.swaig);
  const main = [answer()];
  if (recordAtStart) {
    const options = recordingOptions(config, urls);
    // The webhook stores the implied consent from this signed decision if no SWAIG call ever does.
    options.statusUrl = decided(urls.recordingStatus);
    main.push(recordCall(options));
  }
  main.push(
    ai({
      prompt: agentPrompt(config, recordAtStart),
      functions: functionDefinitions(agentToolSpecs, {
        swaigUrl,
        callId,
        tokenSecret,
        tokenTtlSeconds: config.SECURE_TOKEN_TTL_SECONDS,
      }),
      defaultWebHookUrl: swaigUrl,
      // SWML actions (record_call, pay) from SWAIG results must be allowed to run.
      params: { swaig_allow_swml: true },
      languages: [{ ...DEFAULTS.language }],
      // For the AI only: the server never reads these back (a request can say anything here).
      globalData: {
        recording_mode: mode,
        recording_consent: recordAtStart,
        jurisdiction: jurisdiction.code,
        retention_days: config.RETENTION_DAYS,
        ssn_verified: false,
        secure_mode: false,
      },
    }),
  );
  return swmlDocument(main);
}
