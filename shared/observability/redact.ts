/**
 * Redaction applied to every value the logger serializes, so no code path can leak
 * secure-tool arguments, SSNs, dates of birth, card data or caller numbers into CloudWatch.
 *
 * Two nets: keys whose name alone marks them sensitive lose their value whatever it is,
 * and any string anywhere is scrubbed of things that look like those values.
 */
export const REDACTED = '[REDACTED]';

const SENSITIVE_KEY =
  /^(ssn|social|social_security(_number)?|dob|date_of_birth|birth_?date|card_?number|cardnumber|pan|cvv|cvc|security_code|expiry(_month|_year)?|exp_(month|year)|postal_code|account_number|routing_number|pin|password|pass|secret|token|__token|authorization|x-signalwire-signature|x-signalwire-sha256-signature|from|to|from_number|to_number|caller_id_num|caller_id_name|caller|caller_number|phone|phone_number|number|sensitive_data|argument|arguments|raw|substituted|parsed|meta_data_token)$/i;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // E.164 and other long digit runs (card numbers, phone numbers, account numbers), with separators.
  [/\+?\d(?:[\s.-]?\d){6,}/g, REDACTED],
  // SSN written with dashes or spaces (3-2-4), which the digit-run rule would miss when split.
  [/\b\d{3}[\s-]\d{2}[\s-]\d{4}\b/g, REDACTED],
  // Dates that could be a date of birth.
  [/\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b/g, REDACTED],
  // Basic-auth credentials embedded in URLs.
  [/(https?:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1[REDACTED]@'],
  // __token query parameters.
  [/(__token=)[^&\s"]+/gi, '$1[REDACTED]'],
];

/**
 * Identifiers we log on purpose (UUIDs: call, session and recording ids) and our own ISO
 * timestamps contain digit runs; they are set aside before scrubbing and put back after.
 */
const KEEP =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/gi;

/** Scrub one string of values that look sensitive. */
export function redactString(value: string): string {
  const kept: string[] = [];
  let out = value.replace(KEEP, (m) => `\u0000${kept.push(m) - 1}\u0000`);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL brackets the placeholders of kept spans; no input text carries it
  return out.replace(/\u0000(\d+)\u0000/g, (_, i: string) => kept[Number(i)] ?? '');
}

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
