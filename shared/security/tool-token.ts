import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Per-call tokens for secure tools, the Python SDK's SessionManager format:
 * base64url("{call_id}.{function}.{expiry}.{nonce}.{hex HMAC-SHA256(secret, "{call_id}:{function}:{expiry}:{nonce}")}").
 * Binding call and function means a token leaked from one call or tool opens nothing else.
 * Same field layout as the SDK, but not interchangeable with its tokens: the SDK truncates the
 * HMAC to 32 hex digits and pads its base64; we sign with all 64 and accept only canonical
 * unpadded base64url (we mint and verify our own tokens, so nothing else needs to read them).
 *
 * The call id may contain dots (SAFE_ID allows them): {@link verifyToolToken} reads the fields from
 * the right, where expiry, nonce and signature are dot-free by construction and the function name
 * must be too (tool names are `[a-z_][a-z0-9_]*`), so whatever is left is the call id.
 */
export function mintToolToken(
  secret: string,
  callId: string,
  functionName: string,
  ttlSeconds: number,
  now = Date.now(),
): string {
  // A dot in the function would move the split and make the token unverifiable: refuse to mint it.
  if (!callId || !functionName || functionName.includes('.'))
    throw new RangeError('tool token: call id and a dot-free function name are required');
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const nonce = randomBytes(8).toString('hex');
  const signature = sign(secret, callId, functionName, String(expiry), nonce);
  return Buffer.from(`${callId}.${functionName}.${expiry}.${nonce}.${signature}`).toString('base64url');
}

export type TokenVerdict = 'valid' | 'missing' | 'malformed' | 'forged' | 'expired' | 'wrong_call' | 'wrong_function';

export function verifyToolToken(
  secret: string,
  token: string | undefined,
  callId: string,
  functionName: string,
  now = Date.now(),
): TokenVerdict {
  if (!token) return 'missing';
  const decoded = canonicalDecode(token);
  if (decoded === undefined) return 'malformed';
  // From the right: signature, nonce, expiry and function hold no dot; the rest is the call id.
  const parts = decoded.split('.');
  if (parts.length < 5) return 'malformed';
  const [tokenFunction, expiry, nonce, signature] = parts.slice(-4) as [string, string, string, string];
  const tokenCall = parts.slice(0, -4).join('.');
  if (!tokenCall || !tokenFunction || !nonce) return 'malformed';
  if (!/^\d+$/.test(expiry) || !/^[0-9a-f]{64}$/.test(signature)) return 'malformed';
  const expected = Buffer.from(sign(secret, tokenCall, tokenFunction, expiry, nonce), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'forged';
  if (tokenCall !== callId) return 'wrong_call';
  if (tokenFunction !== functionName) return 'wrong_function';
  if (Number(expiry) * 1000 < now) return 'expired';
  return 'valid';
}

/**
 * The token's text, or undefined unless the token is exactly the canonical (unpadded) base64url
 * encoding of valid UTF-8. Node's decoder is lenient — it skips characters it does not know
 * (whitespace, junk), takes `+`/`/` and `=` padding, and ignores trailing bits — so one payload
 * would have many spellings; re-encoding and comparing leaves exactly one.
 */
function canonicalDecode(token: string): string | undefined {
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.toString('base64url') !== token) return undefined;
  const text = bytes.toString('utf8');
  // Invalid UTF-8 decodes to U+FFFD, which does not encode back to the same bytes.
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

function sign(secret: string, callId: string, functionName: string, expiry: string, nonce: string): string {
  return createHmac('sha256', secret).update(`${callId}:${functionName}:${expiry}:${nonce}`).digest('hex');
}
