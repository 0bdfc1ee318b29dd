import { createHmac } from 'node:crypto';

/**
 * The caller's number in E.164 (`+` and 8–15 digits), or `undefined` when it is not a phone
 * number (anonymous, SIP user names…).
 *
 * Accepts what SignalWire and people write: separators (spaces, dashes, dots, parentheses),
 * a `tel:`/`sip:` prefix with `@host` suffix, the `00` international prefix, and bare 10-digit
 * (or 11-digit with leading 1) North American numbers, which are read as +1 because this agent
 * answers North American numbers.
 */
export function normalizeE164(number: string): string | undefined {
  let s = number
    .trim()
    .replace(/^(tel|sips?):/i, '')
    .replace(/[;@].*$/, '');
  // "(0)" is the trunk prefix some countries print after the calling code ("+44 (0)20 …"): dialled
  // internationally it is dropped.
  s = s.replace(/\(0\)/g, '').replace(/[\s().\-\u00a0]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (!s.startsWith('+')) {
    if (/^[2-9]\d{9}$/.test(s)) s = `+1${s}`;
    else if (/^1[2-9]\d{9}$/.test(s)) s = `+${s}`;
    else return undefined;
  }
  if (!/^\+[1-9]\d{7,14}$/.test(s)) return undefined;
  // A NANP number is exactly 10 digits after +1 and its area code never starts with 0 or 1.
  // (The exchange rule is not enforced: fictional test numbers like +1 555 123 4567 break it.)
  if (s.startsWith('+1') && !/^\+1[2-9]\d{9}$/.test(s)) return undefined;
  return s;
}

/**
 * The keyed hash that stands in for a caller's number wherever we store it (the `byCaller`
 * index, erasure by caller): hex HMAC-SHA256 of the normalized number, so "+1 (415) 555-0100"
 * and "+14155550100" hash alike, and nobody without the secret can test a guessed number.
 * Something that is not a phone number is hashed as given (trimmed), never stored raw.
 */
export function callerHash(number: string, secret: string): string {
  if (secret.length < 16) throw new RangeError('caller hash secret must be at least 16 characters');
  return createHmac('sha256', secret)
    .update(normalizeE164(number) ?? number.trim())
    .digest('hex');
}
