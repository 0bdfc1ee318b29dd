/**
 * A dependency failed (storage, SignalWire) or another request holds the work right now: nothing
 * is wrong with the request, and the same request later can succeed. Domain code throws it; the
 * HTTP edge (shared/http/errors.ts) answers 503 with Retry-After, so SignalWire retries a webhook,
 * and never shows this message (it names our internals) to the caller.
 */
export class RetryableError extends Error {
  override name = 'RetryableError';
}
