import { decisionFromQuery, decisionOf, impliesConsent } from './call-decision.js';
import type { CallDecision, ConsentRecord, ConsentStore } from './types.js';

/** Evidence category for consent implied by a disclosure under a one-party rule. */
const IMPLIED_CATEGORY = 'implied:one-party-disclosure';

/**
 * Registers the call with its decision (mode, jurisdiction, keyed caller hash) before its first
 * consent decision; a call already registered keeps what it was registered with (the stored
 * decision wins over the one passed). A call still pending has just been told about the
 * recording (the prompt discloses before it asks; disclose-and-record discloses by itself), so
 * that is audited once, here, with the stored facts.
 */
export async function registerCall(consent: ConsentStore, callId: string, decision: CallDecision): Promise<ConsentRecord> {
  const record = await consent.ensureCall(callId, {
    jurisdiction: decision.jurisdiction,
    callerHash: decision.callerHash,
    mode: decision.mode,
  });
  if (record.state === 'pending') {
    const stored = decisionOf(record);
    await consent.appendEvent(callId, {
      type: 'disclosure_given',
      detail: { mode: stored.mode, jurisdiction: stored.jurisdiction.code },
    });
  }
  return record;
}

/**
 * Store consent implied by the disclosure (audit: disclosure given, consent granted) if the
 * call's stored decision is disclose-and-record under a one-party rule and the call has no
 * consent decision yet. Used by the SWAIG gate and by the webhook; idempotent. A caller who
 * declined or withdrew keeps that: only a missing or pending record becomes granted. The record
 * carries the caller hash of the decision, so the recording is found by export and erasure by
 * caller like any other.
 */
export async function grantImpliedConsent(consent: ConsentStore, callId: string, decision: CallDecision): Promise<ConsentRecord> {
  const record = await registerCall(consent, callId, decision);
  // The stored decision, not the one passed: a call first registered consent-first stays so.
  if (record.state !== 'pending' || !impliesConsent(decisionOf(record))) return record;
  const granted = await consent.setConsent(callId, 'granted', { category: IMPLIED_CATEGORY });
  await consent.appendEvent(callId, { type: 'consent_granted', detail: { category: IMPLIED_CATEGORY } });
  return granted;
}

/**
 * The webhook side: a recording the SWML document started itself (disclose-and-record under a
 * one-party rule) has the signed decision on its status_url. When it verifies for this call and
 * implies consent, the implied consent is stored (with the decision) before the recording is;
 * anything forged, expired, for another call or for an all-party jurisdiction is ignored (the
 * recording is then judged on stored consent alone, and flagged if there is none). Returns
 * whether consent now stands granted on that basis.
 */
export async function recordImpliedConsentFromQuery(
  consent: ConsentStore,
  callId: string,
  query: Record<string, string | undefined> | undefined,
  tokenSecret: string,
): Promise<boolean> {
  const decision = decisionFromQuery(query, callId, tokenSecret);
  if (!decision || !impliesConsent(decision)) return false;
  return (await grantImpliedConsent(consent, callId, decision)).state === 'granted';
}
