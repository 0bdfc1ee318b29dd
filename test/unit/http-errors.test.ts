import { describe, expect, it } from 'vitest';
import { ConsentStoreUnavailableError } from '#shared/consent/types.js';
import { RetryableError } from '#shared/errors.js';
import { AppError, badRequest, httpErrorOf } from '#shared/http/errors.js';

describe('httpErrorOf: the one mapping from a thrown error to what the caller sees', () => {
  it('passes a client error through with its own message', () => {
    const error = badRequest('invalid_body', 'body must be a JSON object');
    expect(httpErrorOf(error)).toBe(error);
  });

  it('answers a retryable fault 503 with Retry-After and a fixed message, never the internal reason', () => {
    for (const error of [new RetryableError('ingest ledger unavailable'), new ConsentStoreUnavailableError('table down')]) {
      const answer = httpErrorOf(error);
      expect(answer).toMatchObject({ statusCode: 503, code: 'unavailable', message: 'temporarily unavailable, retry later' });
      expect(answer.headers['Retry-After']).toBe('5');
      expect(answer.cause).toBe(error);
    }
  });

  it('keeps a 5xx AppError’s status and code but not its message', () => {
    const answer = httpErrorOf(new AppError(502, 'upstream', 'SignalWire said: secret detail'));
    expect(answer).toMatchObject({ statusCode: 502, code: 'upstream', message: 'internal error' });
  });

  it('turns anything else into a bare 500', () => {
    for (const thrown of [new TypeError('x is undefined'), 'a string', undefined]) {
      expect(httpErrorOf(thrown)).toMatchObject({ statusCode: 500, code: 'internal_error', message: 'internal error' });
    }
  });
});
