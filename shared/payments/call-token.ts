import type { QueryTokenAuth } from '#shared/http/middleware.js';
import { mintToolToken, verifyToolToken, type TokenVerdict } from '#shared/security/tool-token.js';

/**
 * The call a payment belongs to (issue #11 points 7 and 8). SignalWire's connector request names
 * no call (docs/protocol.md §4), so the URL we hand to `pay` does: `call_id` and `call_token`, a
 * token of the secure-tool scheme (shared/security/tool-token.ts) bound to that call and to the
 * fixed purpose {@link PAYMENT_CONNECTOR_PURPOSE}. It tells the connector which call's audit trail
 * gets the outcome, and it admits the request where basic auth in the URL is not honoured
 * (SignalWire documents `user:pass@` for SWAIG web hooks, not for `pay.payment_connector_url`).
 */
const PAYMENT_CONNECTOR_PURPOSE = 'payment_connector';
const CALL_PARAM = 'call_id';
const TOKEN_PARAM = 'call_token';

type Query = Readonly<Record<string, string | undefined>> | undefined;

/** Our connector URL for one call: `url` with `call_id` and its signed `call_token` in the query. */
export function paymentConnectorUrl(url: string, callId: string, tokenSecret: string, ttlSeconds: number): string {
  const out = new URL(url);
  out.searchParams.set(CALL_PARAM, callId);
  out.searchParams.set(TOKEN_PARAM, mintToolToken(tokenSecret, callId, PAYMENT_CONNECTOR_PURPOSE, ttlSeconds));
  return out.toString();
}

/** The call the query's token proves, or why not (`missing`, `forged`, `expired`, …). */
export function paymentCallFromQuery(
  query: Query,
  tokenSecret: string,
  now = Date.now(),
): { callId: string } | { verdict: Exclude<TokenVerdict, 'valid'> } {
  const callId = query?.[CALL_PARAM];
  const token = query?.[TOKEN_PARAM];
  if (!callId || !token) return { verdict: 'missing' };
  const verdict = verifyToolToken(tokenSecret, token, callId, PAYMENT_CONNECTOR_PURPOSE, now);
  return verdict === 'valid' ? { callId } : { verdict };
}

/** /payment: basic auth, or a valid call token in the query. */
export const paymentTokenAuth: QueryTokenAuth = {
  present: (query) => Boolean(query?.[TOKEN_PARAM]),
  valid: (event, tokenSecret) => 'callId' in paymentCallFromQuery(event.queryStringParameters, tokenSecret),
};
