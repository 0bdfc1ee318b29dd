import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signalwireHandler } from '#shared/http/handler.js';
import type { HttpEvent } from '#shared/http/middleware.js';
import { json } from '#shared/http/response.js';
import { metrics, MetricName } from '#shared/observability/metrics.js';
import { stripCredentials, verifySignalwireSignature } from '#shared/http/signature.js';
import { captureLogs } from '#test/support/logs.js';
import { TEST_SECRETS } from '#test/support/storage.js';
import { apiEvent, lambdaContext } from '#test/support/signalwire.js';
import { resetInstance } from '#shared/instance.js';

/**
 * Expected signatures come from openssl, an implementation independent of the code under
 * test, so a shared misunderstanding (wrong concatenation, base64 instead of hex) cannot
 * make both sides agree.
 */
function opensslHmac(algorithm: 'sha1' | 'sha256', key: string, message: Buffer | string): string {
  const out = execFileSync('openssl', ['dgst', `-${algorithm}`, '-hmac', key], { input: message })
    .toString('utf8')
    .trim();
  const hex = out.split(/\s+/).pop() ?? '';
  expect(hex).toMatch(algorithm === 'sha1' ? /^[0-9a-f]{40}$/ : /^[0-9a-f]{64}$/);
  return hex;
}

const KEY = 'PSK_test_signing_key_0123456789';
const URL = 'https://agent.example.com/swml?tenant=acme';
const BODY = '{"call":{"call_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","direction":"inbound"},"vars":{"greeting":"héllo"}}';

describe('verifySignalwireSignature against openssl vectors', () => {
  it('accepts a valid SHA-1 signature', () => {
    const sig = opensslHmac('sha1', KEY, URL + BODY);
    expect(
      verifySignalwireSignature({ url: URL, rawBody: BODY, headers: { 'X-Signalwire-Signature': sig }, signingKey: KEY }),
    ).toBe('valid');
  });

  it('accepts a valid SHA-256 signature alone', () => {
    const sig = opensslHmac('sha256', KEY, URL + BODY);
    expect(
      verifySignalwireSignature({ url: URL, rawBody: BODY, headers: { 'x-signalwire-sha256-signature': sig }, signingKey: KEY }),
    ).toBe('valid');
  });

  it('accepts both headers when both are valid, and upper-case hex', () => {
    const headers = {
      'X-SignalWire-Signature': opensslHmac('sha1', KEY, URL + BODY).toUpperCase(),
      'X-SignalWire-SHA256-Signature': opensslHmac('sha256', KEY, URL + BODY),
    };
    expect(verifySignalwireSignature({ url: URL, rawBody: BODY, headers, signingKey: KEY })).toBe('valid');
  });

  it('rejects when one of two headers is wrong', () => {
    const headers = {
      'x-signalwire-signature': opensslHmac('sha1', KEY, URL + BODY),
      'x-signalwire-sha256-signature': opensslHmac('sha256', 'another-key', URL + BODY),
    };
    expect(verifySignalwireSignature({ url: URL, rawBody: BODY, headers, signingKey: KEY })).toBe('invalid');
  });

  it('rejects a tampered body (one byte changed)', () => {
    const sig = opensslHmac('sha1', KEY, URL + BODY);
    const tampered = BODY.replace('inbound', 'inbounD');
    expect(
      verifySignalwireSignature({ url: URL, rawBody: tampered, headers: { 'x-signalwire-signature': sig }, signingKey: KEY }),
    ).toBe('invalid');
  });

  it('rejects a signature made with another key', () => {
    const sig = opensslHmac('sha256', 'not-the-key', URL + BODY);
    expect(
      verifySignalwireSignature({ url: URL, rawBody: BODY, headers: { 'x-signalwire-sha256-signature': sig }, signingKey: KEY }),
    ).toBe('invalid');
  });

  it.each([
    ['another path', 'https://agent.example.com/swaig?tenant=acme'],
    ['without the query string', 'https://agent.example.com/swml'],
    ['another host', 'https://evil.example.com/swml?tenant=acme'],
    ['with the credentials signed in', 'https://signalwire:pw@agent.example.com/swml?tenant=acme'],
    ['with a separator between url and body', `${URL}\n`],
  ])('rejects a signature over the wrong url (%s)', (_label, signedUrl) => {
    const sig = opensslHmac('sha1', KEY, signedUrl + BODY);
    expect(
      verifySignalwireSignature({ url: URL, rawBody: BODY, headers: { 'x-signalwire-signature': sig }, signingKey: KEY }),
    ).toBe('invalid');
  });

  it('verifies a url given with embedded credentials against its credential-less form', () => {
    // Prepare: SignalWire signs the URL it holds, minus the user:pass@ it authenticates with.
    const sig = opensslHmac('sha1', KEY, URL + BODY);
    const withCredentials = 'https://signalwire:s3cr%40t@agent.example.com/swml?tenant=acme';
    // Act + Assess
    expect(stripCredentials(withCredentials)).toBe(URL);
    expect(
      verifySignalwireSignature({
        url: withCredentials,
        rawBody: BODY,
        headers: { 'x-signalwire-signature': sig },
        signingKey: KEY,
      }),
    ).toBe('valid');
  });

  it('verifies the exact bytes of a non-ASCII body given as a Buffer', () => {
    const bytes = Buffer.from(BODY, 'utf8');
    const sig = opensslHmac('sha256', KEY, Buffer.concat([Buffer.from(URL), bytes]));
    expect(
      verifySignalwireSignature({ url: URL, rawBody: bytes, headers: { 'x-signalwire-sha256-signature': sig }, signingKey: KEY }),
    ).toBe('valid');
  });

  it.each([
    ['empty', ''],
    ['truncated', 'abc123'],
    ['base64 instead of hex', Buffer.from('x'.repeat(20)).toString('base64')],
    ['two values joined by a proxy', `${'a'.repeat(40)}, ${'b'.repeat(40)}`],
  ])('treats a malformed header as invalid, not absent (%s)', (_label, value) => {
    expect(
      verifySignalwireSignature({ url: URL, rawBody: BODY, headers: { 'x-signalwire-signature': value }, signingKey: KEY }),
    ).toBe('invalid');
  });

  it('reports absent when no signature header is there', () => {
    expect(
      verifySignalwireSignature({ url: URL, rawBody: BODY, headers: { 'content-type': 'application/json' }, signingKey: KEY }),
    ).toBe('absent');
    expect(verifySignalwireSignature({ url: URL, rawBody: BODY, headers: undefined, signingKey: KEY })).toBe('absent');
  });
});

const PUBLIC_BASE = 'https://agent.example.com';
/** The gateway's Host is its own domain, not the public base: signatures must not depend on it. */
const event = (body: string, headers: Record<string, string>, opts: { base64?: boolean; query?: string } = {}) =>
  apiEvent({
    path: '/status',
    rawBody: body,
    base64: opts.base64,
    query: opts.query ?? '',
    headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com', ...headers },
  });
const context = lambdaContext();

describe('signalwireSignature middleware through signalwireHandler', () => {
  const saved = { ...process.env };
  const reached: string[] = [];
  const core = async (e: HttpEvent) => {
    reached.push(e.rawBody);
    return json(200, { ok: true });
  };
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(() => {
    Object.assign(process.env, TEST_SECRETS, { SWML_PROXY_URL_BASE: PUBLIC_BASE, SIGNALWIRE_SIGNING_KEY: KEY });
    resetInstance();
    logs = captureLogs();
  });
  afterAll(() => {
    logs.restore();
    process.env = saved;
    resetInstance();
  });

  const required = signalwireHandler(core, { signature: 'required' });
  const whenPresent = signalwireHandler(core, { signature: 'when-present' });
  const body = '{"call_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","state":"finished"}';
  // The public URL comes from SWML_PROXY_URL_BASE, not from the Host header API Gateway sees.
  const signedUrl = `${PUBLIC_BASE}/status?x=1`;

  it('passes a valid signature in both modes', async () => {
    const headers = { 'x-signalwire-signature': opensslHmac('sha1', KEY, signedUrl + body) };
    expect((await required(event(body, headers, { query: 'x=1' }), context)).statusCode).toBe(200);
    expect((await whenPresent(event(body, headers, { query: 'x=1' }), context)).statusCode).toBe(200);
  });

  it('verifies a base64-encoded API Gateway body over its decoded bytes', async () => {
    const unicode = '{"call_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","note":"Zoë ☎"}';
    const headers = { 'x-signalwire-sha256-signature': opensslHmac('sha256', KEY, `${PUBLIC_BASE}/status${unicode}`) };
    const result = await required(event(unicode, headers, { base64: true }), context);
    expect(result.statusCode).toBe(200);
    expect(reached).toContain(unicode);
  });

  it('answers 403 invalid_signature to a bad signature in required mode, before the core runs', async () => {
    const headers = { 'x-signalwire-signature': opensslHmac('sha1', KEY, `${signedUrl}${body} `) };
    const before = reached.length;
    const result = await required(event(body, headers, { query: 'x=1' }), context);
    expect(result.statusCode).toBe(403);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'invalid_signature' } });
    expect(reached.length).toBe(before);
  });

  it('counts and logs a bad signature in when-present mode, and processes the request (issue #11 point 8)', async () => {
    const addMetric = vi.spyOn(metrics(), 'addMetric');
    try {
      const headers = { 'x-signalwire-signature': opensslHmac('sha1', KEY, `${signedUrl}${body} `) };
      const before = reached.length;
      expect((await whenPresent(event(body, headers, { query: 'x=1' }), context)).statusCode).toBe(200);
      expect(reached.length).toBe(before + 1);
      expect(addMetric.mock.calls.map(([name]) => name)).toEqual([MetricName.SignatureMismatch]);
      expect(logs.text()).toContain('request signature does not match');
    } finally {
      addMetric.mockRestore();
    }
  });

  it('requires a signature in required mode and lets an unsigned request through in when-present mode', async () => {
    const unsigned = await required(event(body, {}), context);
    expect(unsigned.statusCode).toBe(403);
    expect(JSON.parse(unsigned.body)).toMatchObject({ error: { code: 'invalid_signature' } });
    expect((await whenPresent(event(body, {}), context)).statusCode).toBe(200);
  });

  it('still demands basic auth when the signature is valid', async () => {
    const headers = {
      'x-signalwire-signature': opensslHmac('sha1', KEY, `${PUBLIC_BASE}/status${body}`),
      authorization: 'Basic Zm9vOmJhcg==',
    };
    expect((await whenPresent(event(body, headers), context)).statusCode).toBe(401);
  });

  it('never logs the signature header value', () => {
    const sig = opensslHmac('sha1', KEY, signedUrl + body);
    // The rejections above were logged (so capture works), without the header value.
    expect(logs.text()).toContain('invalid_signature');
    expect(logs.text()).not.toContain(sig);
  });

  it('passes everything when no signing key is configured', async () => {
    delete process.env.SIGNALWIRE_SIGNING_KEY;
    resetInstance();
    try {
      expect((await required(event(body, {}), context)).statusCode).toBe(200);
      expect((await required(event(body, { 'x-signalwire-signature': 'f'.repeat(40) }), context)).statusCode).toBe(200);
    } finally {
      process.env.SIGNALWIRE_SIGNING_KEY = KEY;
      resetInstance();
    }
  });
});
