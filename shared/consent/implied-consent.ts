import type { RecordingMode } from '#shared/config.js';
import { JURISDICTIONS } from './jurisdictions.js';
import type { ConsentRecord, ConsentStore, Jurisdiction } from './types.js';
import { mintToolToken, verifyToolToken } from '#shared/security/tool-token.js';

/** Evidence category for consent implied by a disclosure under a one-party rule. */
const IMPLIED_CATEGORY = 'implied:one-party-disclosure';

/**
 * A status callback can arrive long after the call (late or retried): the basis outlives any
 * call SignalWire allows, with margin.
 */
const BASIS_TTL_SECONDS = 2 * 86_400;

const basisName = (jurisdiction: string) => `implied_consent:${jurisdiction}`;

/**
 * Query parameters for the status_url of a recording the SWML document itself starts
 * (`disclose-and-record` under a one-party rule). The swml function stores nothing, so this
 * signed note — bound to the call and the jurisdiction with the secure-tool token scheme — lets
 * the webhook record the implied consent when no SWAIG call ever did (a call with no tool use).
 */
export function impliedConsentQuery(callId: string, jurisdiction: Jurisdiction, tokenSecret: string): Record<string, string> {
  return {
    jurisdiction: jurisdiction.code,
    basis: mintToolToken(tokenSecret, callId, basisName(jurisdiction.code), BASIS_TTL_SECONDS),
  };
}

/**
 * Registers the call (jurisdiction, keyed caller hash) before its first consent decision. A
 * call still pending has just been told about the recording (the prompt discloses before it
 * asks; disclose-and-record discloses by itself), so that is audited once, here.
 */
export async function registerCall(
  consent: ConsentStore,
  callId: string,
  init: { jurisdiction: Jurisdiction; callerHash: string | undefined; mode: RecordingMode },
): Promise<ConsentRecord> {
  const record = await consent.ensureCall(callId, { jurisdiction: init.jurisdiction, callerHash: init.callerHash });
  if (record.state === 'pending') {
    await consent.appendEvent(callId, {
      type: 'disclosure_given',
      detail: { mode: init.mode, jurisdiction: init.jurisdiction.code },
    });
  }
  return record;
}

/**
 * Store consent implied by the disclosure (audit: disclosure given, consent granted), unless the
 * call already has a decision. Used by the SWAIG gate and by the webhook; idempotent. A caller
 * who declined or withdrew keeps that: only a missing or pending record becomes granted.
 */
export async function grantImpliedConsent(
  consent: ConsentStore,
  callId: string,
  jurisdiction: Jurisdiction,
  callerHash?: string,
): Promise<ConsentRecord> {
  const record = await registerCall(consent, callId, { jurisdiction, callerHash, mode: 'disclose-and-record' });
  if (record.state !== 'pending') return record;
  const granted = await consent.setConsent(callId, 'granted', { category: IMPLIED_CATEGORY });
  await consent.appendEvent(callId, { type: 'consent_granted', detail: { category: IMPLIED_CATEGORY } });
  return granted;
}

/**
 * The webhook side: when the status_url carries a valid basis for this call and a one-party
 * jurisdiction, record the implied consent before the recording is stored. Anything forged,
 * expired, for another call or for an all-party jurisdiction is ignored (the recording is then
 * judged on stored consent alone, and flagged if there is none).
 */
export async function recordImpliedConsentFromQuery(
  consent: ConsentStore,
  callId: string,
  query: Record<string, string | undefined> | undefined,
  tokenSecret: string,
): Promise<boolean> {
  const jurisdiction = query?.jurisdiction ? JURISDICTIONS.get(query.jurisdiction) : undefined;
  if (jurisdiction?.rule !== 'one-party') return false;
  if (verifyToolToken(tokenSecret, query?.basis, callId, basisName(jurisdiction.code)) !== 'valid') return false;
  await grantImpliedConsent(consent, callId, jurisdiction);
  return true;
}
