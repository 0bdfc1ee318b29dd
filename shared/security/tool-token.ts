import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Per-call tokens for secure tools, the Python SDK's SessionManager format:
 * base64url("{call_id}.{function}.{expiry}.{nonce}.{hex HMAC-SHA256(secret, "{call_id}:{function}:{expiry}:{nonce}")}").
 * Binding call and function means a token leaked from one call or tool opens nothing else.
 */
export function mintToolToken(
  secret: string,
  callId: string,
  functionName: string,
  ttlSeconds: number,
  now = Date.now(),
): string {
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
  // Buffer never throws on base64url input: undecodable characters are skipped, so a bad token fails below.
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  const parts = decoded.split('.');
  if (parts.length !== 5) return 'malformed';
  const [tokenCall, tokenFunction, expiry, nonce, signature] = parts as [string, string, string, string, string];
  if (!/^\d+$/.test(expiry) || !/^[0-9a-f]{64}$/.test(signature)) return 'malformed';
  const expected = Buffer.from(sign(secret, tokenCall, tokenFunction, expiry, nonce), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'forged';
  if (tokenCall !== callId) return 'wrong_call';
  if (tokenFunction !== functionName) return 'wrong_function';
  if (Number(expiry) * 1000 < now) return 'expired';
  return 'valid';
}

function sign(secret: string, callId: string, functionName: string, expiry: string, nonce: string): string {
  return createHmac('sha256', secret).update(`${callId}:${functionName}:${expiry}:${nonce}`).digest('hex');
}
