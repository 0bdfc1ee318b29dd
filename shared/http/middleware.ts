import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { timingSafeEqual, createHash } from 'node:crypto';
import { getConfig } from '#shared/config.js';
import { loadSecrets } from '#shared/aws/secrets.js';
import { logger } from '#shared/observability/logger.js';
import { isSafeId } from '#shared/validation/ids.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { badRequest, httpErrorOf, payloadTooLarge, unauthorized, unsupportedMediaType } from './errors.js';
import { headerValue } from './headers.js';
import { json, type HttpResult } from './response.js';

/** An API Gateway v2 event after our middlewares: raw bytes kept for signatures, JSON parsed. */
export interface HttpEvent extends APIGatewayProxyEventV2 {
  rawBody: string;
  jsonBody: unknown;
}

type HttpRequest = Request<HttpEvent, HttpResult, Error, Context>;
type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResult, Error, Context>;

/**
 * Maps errors to HTTP in one place. AppErrors below 500 are the caller's fault and say so;
 * everything else is logged with its stack and answered without internals.
 */
export function httpErrors(): HttpMiddleware {
  return {
    onError: function httpErrorsOnError(request: HttpRequest) {
      const error = request.error;
      const answer = httpErrorOf(error);
      if (answer === error)
        logger.warn('request rejected', { status: answer.statusCode, code: answer.code, reason: answer.message });
      else if (answer.code === 'internal_error') {
        logger.error('unhandled error', { error });
        // Handled as a 500, so Lambda's Errors metric stays 0: this count is what the alarm watches.
        countMetric(MetricName.UnhandledError);
      } else logger.error('dependency failure', { code: answer.code, error });
      request.response = json(answer.statusCode, { error: { code: answer.code, message: answer.message } }, answer.headers);
    },
  };
}

/** Constant-time string compare that does not leak length either (both sides hashed first). */
function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * A per-call token in the query string that admits a request in place of basic auth, on routes
 * where SignalWire does not document honouring `user:pass@` in the URL (record_call.status_url,
 * pay.payment_connector_url; docs/protocol.md §7). Either credential is enough.
 */
export interface QueryTokenAuth {
  /** Whether the query carries the token at all: checked before the body is read. */
  present(query: Readonly<Record<string, string | undefined>> | undefined): boolean;
  /** Once the body is parsed: whether the token is valid, for the call the request is about. */
  valid(event: HttpEvent, tokenSecret: string): boolean;
}

/** Requests without valid basic auth whose query carries a token: {@link queryTokenAuth} decides them. */
const awaitingToken = new WeakSet<HttpEvent>();

/**
 * HTTP basic auth with the credentials embedded in every URL we hand to SignalWire. With
 * `orToken`, a request without valid basic auth that carries the route's query token is let
 * through to {@link queryTokenAuth}, which checks the token once the body is parsed; one with
 * neither is refused here, before the body is read.
 */
export function basicAuth(orToken?: QueryTokenAuth): HttpMiddleware {
  return {
    before: async function basicAuthBefore(request: HttpRequest) {
      const secrets = await loadSecrets(getConfig());
      const value = headerValue(request.event.headers, 'authorization') ?? '';
      const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
      const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const user = colon >= 0 ? decoded.slice(0, colon) : '';
      const pass = colon >= 0 ? decoded.slice(colon + 1) : '';
      const userOk = safeEqual(user, secrets.username);
      const passOk = safeEqual(pass, secrets.password);
      if (userOk && passOk) return;
      if (orToken?.present(request.event.queryStringParameters)) {
        awaitingToken.add(request.event);
        return;
      }
      countMetric(MetricName.AuthFailure);
      throw unauthorized(match ? 'invalid credentials' : 'authentication required');
    },
  };
}

/** Runs right after jsonBody: a request {@link basicAuth} let through on its query token is admitted only if the token is valid. */
export function queryTokenAuth(auth: QueryTokenAuth): HttpMiddleware {
  return {
    before: async function queryTokenAuthBefore(request: HttpRequest) {
      if (!awaitingToken.delete(request.event)) return;
      const { tokenSecret } = await loadSecrets(getConfig());
      if (auth.valid(request.event, tokenSecret)) return;
      countMetric(MetricName.AuthFailure);
      throw unauthorized('invalid credentials');
    },
  };
}

export interface BodyOptions {
  /** GET (or an empty POST) is allowed and yields `{}`: SignalWire may GET the SWML document. */
  allowEmpty?: boolean;
}

/**
 * API Gateway base64-encodes a body that is not valid UTF-8. Decoding it leniently would turn the
 * bad bytes into U+FFFD and store them; nothing SignalWire sends is like that, and a retry cannot
 * fix it, so it is a 400.
 */
function strictUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('invalid_encoding', 'request body is not valid UTF-8');
  }
}

/**
 * Size limit, base64 decoding, content type and JSON parsing. Runs before anything reads the
 * body, so an oversized or malformed request is rejected without touching storage.
 */
export function jsonBody(options: BodyOptions = {}): HttpMiddleware {
  return {
    before: function jsonBodyBefore(request: HttpRequest) {
      const event = request.event;
      const limit = getConfig().MAX_BODY_BYTES;
      const encoded = event.body ?? '';
      // base64 grows 4/3: reject on the encoded size before decoding anything large.
      if (encoded.length > (event.isBase64Encoded ? Math.ceil((limit * 4) / 3) + 4 : limit * 4)) throw payloadTooLarge(limit);
      const raw = event.isBase64Encoded ? strictUtf8(Buffer.from(encoded, 'base64')) : encoded;
      if (Buffer.byteLength(raw, 'utf8') > limit) throw payloadTooLarge(limit);
      event.rawBody = raw;
      if (raw.trim() === '') {
        if (options.allowEmpty) {
          event.jsonBody = {};
          return;
        }
        throw badRequest('empty_body', 'request body must be a JSON object');
      }
      const contentType = (headerValue(event.headers, 'content-type') ?? '').toLowerCase();
      // SignalWire sends application/json; SWAIG payloads say content_type "text/swaig" inside the body.
      if (contentType && !/^application\/([\w.+-]*\+)?json\b/.test(contentType) && !contentType.startsWith('text/plain')) {
        throw unsupportedMediaType('content-type must be application/json');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw badRequest('malformed_json', 'request body is not valid JSON');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw badRequest('invalid_body', 'request body must be a JSON object');
      }
      event.jsonBody = parsed;
    },
  };
}

/** SignalWire's call id in a request body (top level, `call` or `params`), if it is a safe id. */
export function findCallId(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const params = b.params as Record<string, unknown> | undefined;
  const call = b.call as Record<string, unknown> | undefined;
  const candidate = b.call_id ?? call?.call_id ?? params?.call_id;
  // call_id is a log envelope key (exempt from redaction): only a safe id may become one.
  return typeof candidate === 'string' && isSafeId(candidate) ? candidate : undefined;
}

/** Every log line of the invocation carries SignalWire's call_id as the correlation id. */
export function correlateCall(): HttpMiddleware {
  return {
    before: function correlateCallBefore(request: HttpRequest) {
      // Reset first rather than after: error logs written later in the chain keep the call_id.
      logger.resetKeys();
      const callId = findCallId(request.event.jsonBody);
      if (callId) logger.appendKeys({ call_id: callId });
      logger.setCorrelationId(callId ?? request.context?.awsRequestId);
    },
  };
}
