import { RetryableError } from '#shared/errors.js';

/**
 * The one error type that crosses into HTTP. Anything thrown that is not an AppError is a bug
 * or an infrastructure fault and becomes a generic 500/503 with no internals in the body.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options?.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

export const badRequest = (code: string, message: string): AppError => new AppError(400, code, message);
export const unauthorized = (message = 'authentication required'): AppError =>
  new AppError(401, 'unauthorized', message, { headers: { 'WWW-Authenticate': 'Basic realm="recording-agent"' } });
export const forbidden = (code: string, message: string): AppError => new AppError(403, code, message);
export const notFound = (code: string, message: string): AppError => new AppError(404, code, message);
export const payloadTooLarge = (limit: number): AppError =>
  new AppError(413, 'payload_too_large', `request body exceeds ${limit} bytes`);
export const unsupportedMediaType = (message: string): AppError => new AppError(415, 'unsupported_media_type', message);

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** SignalWire (and any HTTP client) may honour it; ingest leases are short, so a few seconds suffice. */
const RETRY_AFTER_SECONDS = '5';

/**
 * The one mapping from anything thrown to what the caller sees. Only a client error's own
 * message reaches the caller; a retryable fault is a 503 with Retry-After and a fixed message;
 * any other 5xx keeps its code but not its message; anything else is a bug: a bare 500.
 */
export function httpErrorOf(error: unknown): AppError {
  if (isAppError(error)) {
    return error.statusCode < 500 ? error : new AppError(error.statusCode, error.code, 'internal error', { cause: error });
  }
  if (error instanceof RetryableError) {
    return new AppError(503, 'unavailable', 'temporarily unavailable, retry later', {
      cause: error,
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    });
  }
  return new AppError(500, 'internal_error', 'internal error', { cause: error });
}
