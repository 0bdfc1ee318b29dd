import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { apiEvent, lambdaContext, swmlRequestBody } from '#test/support/signalwire.js';
import { TEST_SECRETS } from '#test/support/storage.js';
import { swmlErrors } from '#test/support/swml-schema.js';
import { resetInstance } from '#shared/instance.js';

type Handler = (
  event: unknown,
  context: unknown,
) => Promise<{ statusCode: number; body: string; headers?: Record<string, string> }>;
const SIGNING_KEY = 'PSK_test_signing_key';
let handler: Handler;

/** Independent implementation of SignalWire's signature: openssl, not our code. */
function opensslHmacSha1(key: string, data: string): string {
  return execFileSync('openssl', ['dgst', '-sha1', '-hmac', key, '-r'], { input: data }).toString().split(' ')[0] ?? '';
}

beforeAll(async () => {
  Object.assign(process.env, TEST_SECRETS, {
    SWML_PROXY_URL_BASE: 'https://agent.example.com',
    SIGNALWIRE_SIGNING_KEY: SIGNING_KEY,
  });
  resetInstance();
  handler = (await import('#functions/swml/handler.js')).handler as unknown as Handler;
});

describe('the swml function', () => {
  it('answers a signed POST with a valid SWML document', async () => {
    const raw = JSON.stringify(swmlRequestBody(randomUUID()));
    const signature = opensslHmacSha1(SIGNING_KEY, `https://agent.example.com/swml${raw}`);
    const result = await handler(
      apiEvent({ path: '/swml', rawBody: raw, headers: { 'x-signalwire-signature': signature } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(swmlErrors(JSON.parse(result.body))).toEqual([]);
  });

  it('refuses an unsigned or tampered fetch with 403 when a signing key is configured', async () => {
    const raw = JSON.stringify(swmlRequestBody(randomUUID()));
    const signature = opensslHmacSha1(SIGNING_KEY, `https://agent.example.com/swml${raw}`);
    const unsigned = await handler(apiEvent({ path: '/swml', rawBody: raw }), lambdaContext());
    expect(unsigned.statusCode).toBe(403);
    const tampered = await handler(
      apiEvent({ path: '/swml', rawBody: raw.replace('inbound', 'outbound'), headers: { 'x-signalwire-signature': signature } }),
      lambdaContext(),
    );
    expect(tampered.statusCode).toBe(403);
  });

  it('needs basic auth before anything else', async () => {
    const result = await handler(apiEvent({ path: '/swml', body: swmlRequestBody(randomUUID()), auth: null }), lambdaContext());
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['WWW-Authenticate']).toMatch(/^Basic/);
  });

  it('rejects a hostile call id with 400', async () => {
    const raw = JSON.stringify(swmlRequestBody('../../x'));
    const signature = opensslHmacSha1(SIGNING_KEY, `https://agent.example.com/swml${raw}`);
    const result = await handler(
      apiEvent({ path: '/swml', rawBody: raw, headers: { 'x-signalwire-signature': signature } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(400);
  });
});
