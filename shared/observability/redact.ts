/**
 * Redaction applied to every value the logger serializes, so no code path can leak
 * secure-tool arguments, SSNs, dates of birth, card data or caller numbers into CloudWatch.
 *
 * Two nets: keys whose name alone marks them sensitive lose their value whatever it is,
 * and any string anywhere is scrubbed of things that look like those values.
 */
import { REDACTED, redactString } from '#shared/validation/personal-data.js';

/**
 * Keys whose value is redacted whatever it is, compared lower-cased (so `SSN` and `Caller_Number`
 * too). A set rather than one case-insensitive pattern: compiling that pattern cost the first
 * log line of a fresh function about a millisecond (npm run bench).
 */
const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'ssn',
  'social',
  'social_security',
  'social_security_number',
  'dob',
  'date_of_birth',
  'birthdate',
  'birth_date',
  'card_number',
  'cardnumber',
  'pan',
  'cvv',
  'cvc',
  'security_code',
  'expiry',
  'expiry_month',
  'expiry_year',
  'exp_month',
  'exp_year',
  'postal_code',
  'account_number',
  'routing_number',
  'pin',
  'password',
  'pass',
  'secret',
  'token',
  '__token',
  'authorization',
  'x-signalwire-signature',
  'x-signalwire-sha256-signature',
  'from',
  'to',
  'from_number',
  'to_number',
  'caller_id_num',
  'caller_id_name',
  'caller',
  'caller_number',
  'phone',
  'phone_number',
  'number',
  'sensitive_data',
  'argument',
  'arguments',
  'raw',
  'substituted',
  'parsed',
  'meta_data_token',
]);

/** Keys of the logger's own envelope: their values are ours, never caller data. */
const ENVELOPE_KEYS = new Set([
  'timestamp',
  'level',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'function_request_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_version',
  'correlation_id',
  'call_id',
]);

/** A JSON.stringify replacer (the shape Powertools' `jsonReplacerFn` takes). */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && SENSITIVE_KEYS.has(key.toLowerCase())) return value === undefined || value === null ? value : REDACTED;
  if (typeof value === 'string' && !ENVELOPE_KEYS.has(key)) return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Deep copy with redaction applied, for places that store or print outside the logger. */
export function redactDeep<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, redactingReplacer)) as T;
}
