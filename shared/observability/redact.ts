/**
 * Redaction applied to every value the logger serializes, so no code path can leak
 * secure-tool arguments, SSNs, dates of birth, card data or caller numbers into CloudWatch.
 *
 * Two nets: keys whose name alone marks them sensitive lose their value whatever it is,
 * and any string anywhere is scrubbed of things that look like those values.
 */
import { REDACTED, redactString } from '#shared/validation/personal-data.js';

const SENSITIVE_KEY =
  /^(ssn|social|social_security(_number)?|dob|date_of_birth|birth_?date|card_?number|cardnumber|pan|cvv|cvc|security_code|expiry(_month|_year)?|exp_(month|year)|postal_code|account_number|routing_number|pin|password|pass|secret|token|__token|authorization|x-signalwire-signature|x-signalwire-sha256-signature|from|to|from_number|to_number|caller_id_num|caller_id_name|caller|caller_number|phone|phone_number|number|sensitive_data|argument|arguments|raw|substituted|parsed|meta_data_token)$/i;

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
  if (key !== '' && SENSITIVE_KEY.test(key)) return value === undefined || value === null ? value : REDACTED;
  if (typeof value === 'string' && !ENVELOPE_KEYS.has(key)) return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Deep copy with redaction applied, for places that store or print outside the logger. */
export function redactDeep<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, redactingReplacer)) as T;
}
