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
/** Storage or dependency unavailable: 503 so SignalWire retries webhooks. */
export const unavailable = (message: string, cause?: unknown): AppError => new AppError(503, 'unavailable', message, { cause });

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
