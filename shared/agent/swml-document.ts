import type { Config } from '#shared/config.js';
import { effectiveRecordingMode, jurisdictionFor } from '#shared/consent/jurisdictions.js';
import { ai } from '#shared/swml/ai.js';
import { swmlDocument, type SwmlDocument } from '#shared/swml/document.js';
import { answer, recordCall } from '#shared/swml/verbs.js';
import { functionDefinitions } from '#shared/swaig/definitions.js';
import { impliedConsentQuery } from '#shared/consent/implied-consent.js';
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
  call: CallFacts;
}

/**
 * The SWML document for one call: answer, then (only where a one-party rule lets the
 * disclosure stand as consent) `record_call`, then the AI agent with its tools. Consent-first
 * is the default and the rule for all-party or unknown jurisdictions.
 */
export function renderAgentSwml({ config, urls, tokenSecret, call }: SwmlInputs): SwmlDocument {
  const jurisdiction = jurisdictionFor(call.callerNumber);
  const mode = effectiveRecordingMode(config.RECORDING_MODE, jurisdiction);
  const recordAtStart = mode === 'disclose-and-record';
  const main = [answer()];
  if (recordAtStart) {
    const options = recordingOptions(config, urls);
    // Without a call id there is nothing to bind the basis to; the webhook then relies on SWAIG.
    if (call.callId) {
      const statusUrl = new URL(urls.recordingStatus);
      for (const [key, value] of Object.entries(impliedConsentQuery(call.callId, jurisdiction, tokenSecret)))
        statusUrl.searchParams.set(key, value);
      options.statusUrl = statusUrl.toString();
    }
    main.push(recordCall(options));
  }
  main.push(
    ai({
      prompt: agentPrompt(config, recordAtStart),
      functions: functionDefinitions(agentToolSpecs, {
        swaigUrl: urls.swaig,
        callId: call.callId,
        tokenSecret,
        tokenTtlSeconds: config.SECURE_TOKEN_TTL_SECONDS,
      }),
      defaultWebHookUrl: urls.swaig,
      // SWML actions (record_call, pay) from SWAIG results must be allowed to run.
      params: { swaig_allow_swml: true },
      languages: [{ name: 'English', code: 'en-US', voice: 'rime.spore' }],
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
