import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { loadSignalWireProject } from '#shared/aws/secrets.js';
import { getConfig } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { forbidden } from './errors.js';
import { headerValue } from './headers.js';
import type { HttpEvent } from './middleware.js';
import { requestUrl } from './public-url.js';
import type { HttpResult } from './response.js';

/**
 * SignalWire's request signatures (docs/protocol.md §5): hex HMAC of the URL it requested, without
 * embedded credentials, immediately followed by the exact raw body. SHA-1 on every signed
 * request, SHA-256 additionally on call requests.
 */
const SIGNATURE_HEADERS = {
  sha1: 'x-signalwire-signature',
  sha256: 'x-signalwire-sha256-signature',
} as const;

type SignatureAlgorithm = keyof typeof SIGNATURE_HEADERS;

/** `absent`: no signature header at all; `invalid`: at least one header present and wrong. */
export type SignatureVerdict = 'valid' | 'invalid' | 'absent';

/**
 * `required` for the SWML route (documented as signed): absent or wrong → 403. `when-present` where
 * the docs are silent (/recording-status, /payment): a wrong signature is counted
 * (`SignatureMismatch`) and logged, never a reason to drop the request.
 */
export type SignatureMode = 'required' | 'when-present';

export interface SignatureInput {
  /** The public URL SignalWire requested; credentials in it, if any, are ignored. */
  url: string;
  /** The body exactly as received (bytes, or a string that is their UTF-8 decoding). */
  rawBody: string | Uint8Array;
  headers: Readonly<Record<string, string | undefined>> | undefined;
  signingKey: string;
}

/** SignalWire signs the URL it holds for us; the `user:pass@` part is auth, not part of it. */
export function stripCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
}

/** Hex HMAC over url + body: what SignalWire puts in the signature headers. */
function computeSignalwireSignature(
  algorithm: SignatureAlgorithm,
  signingKey: string,
  url: string,
  rawBody: string | Uint8Array,
): string {
  return createHmac(algorithm, signingKey).update(url, 'utf8').update(rawBody).digest('hex');
}

function matches(algorithm: SignatureAlgorithm, presented: string, input: SignatureInput, url: string): boolean {
  const candidate = presented.trim().toLowerCase();
  const expected = computeSignalwireSignature(algorithm, input.signingKey, url, input.rawBody);
  // Shape check first: timingSafeEqual needs equal lengths, and the expected length is public.
  if (candidate.length !== expected.length || !/^[0-9a-f]+$/.test(candidate)) return false;
  return timingSafeEqual(Buffer.from(candidate, 'hex'), Buffer.from(expected, 'hex'));
}

/**
 * Checks whichever signature headers are present. Both present → both must match, so a
 * forged SHA-1 cannot ride along with a replayed SHA-256 (or the other way round).
 */
export function verifySignalwireSignature(input: SignatureInput): SignatureVerdict {
  const url = stripCredentials(input.url);
  let seen = false;
  for (const algorithm of ['sha1', 'sha256'] as const) {
    const presented = headerValue(input.headers, SIGNATURE_HEADERS[algorithm]);
    if (presented === undefined) continue;
    seen = true;
    if (!matches(algorithm, presented, input, url)) return 'invalid';
  }
  return seen ? 'valid' : 'absent';
}

type HttpRequest = Request<HttpEvent, HttpResult, Error, Context>;
type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResult, Error, Context>;

let warnedNoKey = false;

/** The exact bytes received: API Gateway's base64 is decoded without a UTF-8 round trip. */
function rawBytes(event: HttpEvent): string | Uint8Array {
  if (event.isBase64Encoded && event.body) return Buffer.from(event.body, 'base64');
  return event.rawBody ?? event.body ?? '';
}

/**
 * Middy middleware verifying SignalWire's signature. Runs after jsonBody (which enforces the
 * size limit). The signing key comes from the SignalWire project settings (env, overlaid by
 * the SignalWire secret in the cloud; loaded once per instance). Without a signing key there
 * is nothing to check against, so it passes (basic auth still applies) and says so once per
 * instance. A secret that cannot be read fails the request (500) rather than skipping the check.
 */
export function signalwireSignature(mode: SignatureMode): HttpMiddleware {
  return {
    before: async function signalwireSignatureBefore(request: HttpRequest) {
      const config = getConfig();
      const signingKey = (await loadSignalWireProject(config)).SIGNALWIRE_SIGNING_KEY;
      if (!signingKey) {
        if (!warnedNoKey) logger.warn('no SignalWire signing key: request signatures are not verified');
        warnedNoKey = true;
        return;
      }
      const verdict = verifySignalwireSignature({
        url: requestUrl(request.event, config),
        rawBody: rawBytes(request.event),
        headers: request.event.headers,
        signingKey,
      });
      if (verdict === 'valid' || (verdict === 'absent' && mode === 'when-present')) return;
      if (mode === 'when-present') {
        // Signing is undocumented here (docs/protocol.md §7): a mismatch is counted and logged, and
        // the request (a recording, a payment) is not dropped; basic auth or a call token admitted it.
        countMetric(MetricName.SignatureMismatch);
        logger.warn('request signature does not match; processed anyway (signing is undocumented on this route)');
        return;
      }
      countMetric(MetricName.AuthFailure);
      throw forbidden(
        'invalid_signature',
        verdict === 'absent' ? 'request is not signed (X-Signalwire-Signature missing)' : 'request signature does not match',
      );
    },
  };
}
