/**
 * Ids become storage keys and HMAC inputs: SignalWire's are UUIDs, anything outside this is hostile.
 *
 * Lives apart from the request schemas that use it: a bundle that needs only the pattern (the
 * SWML function) would otherwise carry, and build at cold start, the whole SWAIG request schema,
 * because esbuild keeps module-level schema constructions it cannot prove pure.
 */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
