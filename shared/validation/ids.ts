import { carriesPersonalData, UUID_SOURCE } from './personal-data.js';

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
  // A UUID is safe by both rules (the redaction keeps UUIDs whole): SignalWire's ids need no
  // scrubbing pass, which on a fresh function's first request compiled every redaction pattern.
  return isUuid(value) || (SAFE_ID.test(value) && !carriesPersonalData(value));
}

const UUID = new RegExp(`^${UUID_SOURCE}$`, 'i');

/** Whether `value` is a UUID (either case). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
