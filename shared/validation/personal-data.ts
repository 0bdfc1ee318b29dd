/**
 * What personal data looks like in free text: phone and card numbers, SSNs, dates that could be
 * a date of birth, credentials in URLs, secure-tool tokens. Two users: the logger's redaction
 * (observability/redact.ts) scrubs such values out of every log line, and the id rule
 * (validation/ids.ts) refuses an id that carries one, since ids become keys and log fields.
 */
export const REDACTED = '[REDACTED]';

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

/** A UUID in any case (SignalWire's call and recording ids, ours): the source of a RegExp, to compose. */
export const UUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * Identifiers we log on purpose (UUIDs: call, session and recording ids) and our own ISO
 * timestamps contain digit runs; they are set aside before scrubbing and put back after.
 */
const KEEP = new RegExp(
  `${UUID_SOURCE}|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?`,
  'gi',
);

/**
 * Every pattern above needs a digit, a URL scheme or a __token parameter: a string with none
 * (most of what we log: our own messages, names, codes) is returned without running them.
 */
const MAY_MATCH = /\d|:\/\/|__token=/i;

/** Scrub one string of values that look sensitive. */
export function redactString(value: string): string {
  if (!MAY_MATCH.test(value)) return value;
  const kept: string[] = [];
  let out = value.replace(KEEP, (m) => `\u0000${kept.push(m) - 1}\u0000`);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL brackets the placeholders of kept spans; no input text carries it
  return out.replace(/\u0000(\d+)\u0000/g, (_, i: string) => kept[Number(i)] ?? '');
}

/**
 * Whether an identifier-like value (an id, a slug, an operator login) carries something that
 * looks like personal data. Any separator such values allow can split personal data as a dash
 * would (078_05_1120, 4111:1111:1111:1111, 1984.02.29): they are all read as dashes before
 * looking. Read so, a timestamp (1984-02-29T00:00) is a date, no longer the ISO form the log
 * redaction keeps; UUIDs still are.
 */
export function carriesPersonalData(value: string): boolean {
  const asDashes = value.replace(/[._:]/g, '-');
  return redactString(asDashes) !== asDashes;
}
