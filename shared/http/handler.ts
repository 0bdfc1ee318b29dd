import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '#shared/observability/logger.js';
import { publishMetrics } from '#shared/observability/metrics.js';
import {
  basicAuth,
  correlateCall,
  httpErrors,
  jsonBody,
  queryTokenAuth,
  type BodyOptions,
  type HttpEvent,
  type QueryTokenAuth,
} from './middleware.js';
import type { HttpResult } from './response.js';
import { signalwireSignature, type SignatureMode } from './signature.js';

export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export interface SignalwireHandlerOptions extends BodyOptions {
  /** Verify SignalWire's request signature (when a signing key is configured); see shared/http/signature.ts. */
  signature?: SignatureMode;
  /**
   * A per-call query token accepted in place of basic auth (routes where SignalWire does not
   * document honouring credentials in the URL); without it basic auth is required.
   */
  tokenAuth?: QueryTokenAuth;
}

/**
 * The house wiring for a SignalWire-facing function: context-aware logs, EMF metrics, one
 * error mapper, basic auth before the body is even parsed (or, where allowed, a per-call query
 * token checked right after), then body parsing and call correlation. Handlers in functions/ are one call to this.
 */
export function signalwireHandler(core: HttpHandler, options: SignalwireHandlerOptions = {}) {
  const wired = middy<HttpEvent, HttpResult>(core)
    // logEvent pinned off: POWERTOOLS_LOGGER_LOG_EVENT=true would otherwise log raw bodies (card data, secure-tool args).
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(publishMetrics())
    .use(httpErrors())
    .use(basicAuth(options.tokenAuth))
    .use(jsonBody(options));
  // The token is bound to the call the body names: checked once the body is parsed.
  if (options.tokenAuth) wired.use(queryTokenAuth(options.tokenAuth));
  // Right after the body is read: the signature covers its exact bytes.
  if (options.signature) wired.use(signalwireSignature(options.signature));
  return wired.use(correlateCall());
}
