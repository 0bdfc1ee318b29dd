import { redactString } from './personal-data.js';

/**
 * Ids become storage keys and HMAC inputs: SignalWire's are UUIDs, anything outside this is hostile.
 *
 * Lives apart from the request schemas that use it: a bundle that needs only the pattern (the
 * SWML function) would otherwise carry, and build at cold start, the whole SWAIG request schema,
 * because esbuild keeps module-level schema constructions it cannot prove pure.
 */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The one id rule: the safe pattern, and nothing that looks like personal data. Ids are storage
 * keys and appear in logs and audit events, where redaction would mangle them, so a phone
 * number, SSN or date posing as a call_id is refused rather than stored or logged.
 */
export function isSafeId(value: string): boolean {
  if (!SAFE_ID.test(value)) return false;
  // Any separator the pattern allows can split personal data as a dash would (078_05_1120,
  // 4111:1111:1111:1111, 1984.02.29): read them all as dashes before looking. Read so, a timestamp
  // (1984-02-29T00:00) is a date, no longer the ISO form the log redaction keeps; UUIDs still are.
  const asDashes = value.replace(/[._:]/g, '-');
  return redactString(asDashes) === asDashes;
}
