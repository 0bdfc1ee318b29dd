import { RECORDING_MODES, type RecordingMode } from '#shared/config.js';
import { mintToolToken, verifyToolToken } from '#shared/security/tool-token.js';
import { callerHash } from './caller-hash.js';
import { effectiveRecordingMode, JURISDICTIONS, jurisdictionFor, UNKNOWN_JURISDICTION } from './jurisdictions.js';
import type { CallDecision, ConsentRecord, Jurisdiction } from './types.js';

/**
 * Facts the SWML document decided stay decided (issue #11 point 5).
 *
 * The SWML document decides, per call, the recording mode (consent-first, or disclose-and-record
 * where a one-party rule allows it), the jurisdiction and the caller (as a keyed hash). Nothing a
 * later request says may widen that: not `global_data` (SignalWire echoes it, but anyone who can
 * post to /swaig can write it), not `caller_id_num`. So:
 *
 * 1. The swml function signs the decision, bound to the call id, into every URL it hands
 *    SignalWire for this call: the SWAIG web hooks and the status_url of a recording the
 *    document itself starts ({@link decidedUrl}: `decided=<mode>:<jurisdiction>:<hash>` plus
 *    `basis`, a token of the secure-tool scheme whose purpose is those facts). Nobody without the
 *    token secret can produce one, and one call's decision opens nothing on another call.
 * 2. The first SWAIG request or status callback that needs it stores it with the call's consent
 *    record (`registerCall` → `ensureCall` with the decided mode, jurisdiction and caller hash;
 *    first write wins). From then on the stored record is the decision: the gate and the tools
 *    read mode, jurisdiction and caller hash from it ({@link decisionOf}), never from the request.
 * 3. No stored record and no valid signed decision on the request (the SWML was never served for
 *    this call id, the token is forged or expired, storage fails) → {@link UNDECIDED}:
 *    consent-first, unknown jurisdiction, no caller hash, no implied consent.
 *
 * Why signed-then-stored rather than the swml function writing the table when it serves the
 * document (the alternatives considered):
 * - Writing needs a DynamoDB client in the swml bundle: with DynamoConsentStore the bundle goes
 *   from 94 KB to 435 KB (esbuild with the stack's options; its 100 KB budget and "no AWS SDK" are
 *   `npm run bench` budgets), and the bench's SDK-only bare handler starts about 60 ms slower
 *   than swml's: cold init paid on the request SignalWire makes while the caller waits.
 * - "Write access to exactly that item" cannot be said in IAM: `dynamodb:LeadingKeys` restricts
 *   partition keys only, so a PutItem grant reaches every item of every call, and an
 *   unconditional PutItem can overwrite a consent item or a tombstone. Today swml has no table
 *   access at all, and keeps none.
 * The signed decision gives the same guarantee — only the swml function's choice can ever be
 * stored, and request data cannot change it — with neither cost. What differs: a call on which no
 * tool is used and nothing is recorded stores nothing at all (there is nothing to erase or export
 * for it either).
 */

/** A status callback can come long after the call, and calls can be long: the same margin as before. */
const DECISION_TTL_SECONDS = 2 * 86_400;
/** Query parameter with the decided facts, in clear (the token binds them, it does not carry them). */
const DECIDED_PARAM = 'decided';
/** Query parameter with the token that signs {@link DECIDED_PARAM} for the call. */
const BASIS_PARAM = 'basis';
const NO_CALLER = '-';

/** When nothing was decided (or the decision cannot be read): the strictest facts. */
export const UNDECIDED: CallDecision = { mode: 'consent-first', jurisdiction: UNKNOWN_JURISDICTION };

/** The decision for a caller at SWML time: jurisdiction from the number, the stricter mode, the keyed hash. */
export function decideCall(
  configured: RecordingMode,
  callerNumber: string | undefined,
  callerHashSecret: string | undefined,
): CallDecision {
  const jurisdiction = jurisdictionFor(callerNumber);
  const hash = callerNumber?.trim() && callerHashSecret ? callerHash(callerNumber, callerHashSecret) : undefined;
  return { mode: effectiveRecordingMode(configured, jurisdiction), jurisdiction, ...(hash ? { callerHash: hash } : {}) };
}

const factsOf = (decision: CallDecision): string =>
  `${decision.mode}:${decision.jurisdiction.code}:${decision.callerHash ?? NO_CALLER}`;
const purposeOf = (facts: string): string => `decided:${facts}`;

/** `url` with the call's signed decision in its query (kept: its path, credentials and other parameters). */
export function decidedUrl(url: string, callId: string, decision: CallDecision, tokenSecret: string): string {
  const facts = factsOf(decision);
  const out = new URL(url);
  out.searchParams.set(DECIDED_PARAM, facts);
  out.searchParams.set(BASIS_PARAM, mintToolToken(tokenSecret, callId, purposeOf(facts), DECISION_TTL_SECONDS));
  return out.toString();
}

/**
 * The decision signed into this request's URL for this call, or undefined when there is none or
 * it does not verify (forged, expired, another call's, unknown mode or jurisdiction). The mode is
 * re-derived against today's jurisdiction table: it can only come out stricter than signed.
 */
export function decisionFromQuery(
  query: Record<string, string | undefined> | undefined,
  callId: string,
  tokenSecret: string,
  now = Date.now(),
): CallDecision | undefined {
  const facts = query?.[DECIDED_PARAM];
  if (!facts || verifyToolToken(tokenSecret, query?.[BASIS_PARAM], callId, purposeOf(facts), now) !== 'valid') return undefined;
  const [mode, code, hash, ...rest] = facts.split(':');
  const jurisdiction = jurisdictionByCode(code);
  if (rest.length > 0 || !isRecordingMode(mode) || !jurisdiction || !hash) return undefined;
  return {
    mode: effectiveRecordingMode(mode, jurisdiction),
    jurisdiction,
    ...(hash !== NO_CALLER ? { callerHash: hash } : {}),
  };
}

/** The stored decision: what the call's consent record says (a record created without one reads as consent-first). */
export function decisionOf(record: ConsentRecord): CallDecision {
  const jurisdiction = jurisdictionByCode(record.jurisdiction) ?? UNKNOWN_JURISDICTION;
  return {
    mode: effectiveRecordingMode(record.mode ?? 'consent-first', jurisdiction),
    jurisdiction,
    ...(record.callerHash ? { callerHash: record.callerHash } : {}),
  };
}

/** Whether the disclosure itself is the basis for recording: disclose-and-record under a one-party rule. */
export const impliesConsent = (decision: CallDecision): boolean =>
  decision.mode === 'disclose-and-record' && decision.jurisdiction.rule === 'one-party';

function jurisdictionByCode(code: string | undefined): Jurisdiction | undefined {
  if (code === UNKNOWN_JURISDICTION.code) return UNKNOWN_JURISDICTION;
  return code === undefined ? undefined : JURISDICTIONS.get(code);
}

const isRecordingMode = (mode: string | undefined): mode is RecordingMode =>
  (RECORDING_MODES as readonly (string | undefined)[]).includes(mode);
