import { createHmac } from 'node:crypto';
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  paymentConnectorBody,
  recordingStatusBody,
  signatureRequestBody,
  simulatedCall,
  swaigRequestBody,
} from '#infra/local/cli/signalwire-payloads.js';
import { useConsentStoreForTests } from '#shared/agent/swaig-core.js';
import { agentTools } from '#shared/agent/tools.js';
import { parseConfig } from '#shared/config.js';
import { isAppError } from '#shared/http/errors.js';
import { InMemoryConsentStore } from '#shared/consent/memory-consent-store.js';
import type { HttpEvent } from '#shared/http/middleware.js';
import { publicBaseUrl } from '#shared/http/public-url.js';
import type { HttpResult } from '#shared/http/response.js';
import { anyText, dropOutput, rawBodies } from '#test/support/fuzz.js';
import { useRecordingDepsForTests } from '#shared/recordings/recording-status-core.js';
import { memoryRecordingDeps } from '#test/support/memory-recording-deps.js';
import { apiEvent, lambdaContext } from '#test/support/signalwire.js';
import { TEST_SECRETS } from '#test/support/storage.js';
import { resetInstance } from '#shared/instance.js';

/**
 * Issue #10: the deployed functions end to end (API Gateway v2 event → middy chain → core) under
 * fuzzed bodies and headers. Whatever the request, a fault in it is answered 4xx: a 5xx would
 * tell SignalWire to retry a request that can never succeed, and means a parser let a bad
 * value through to code that then threw.
 *
 * Recording ingest runs for real, on in-memory stores (the module's production dependencies
 * would need the emulators), so a fuzzed body that parses is stored like any other.
 */
let memory = memoryRecordingDeps();

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

const RUNS = 150;
const BASE = 'https://agent.example.com';
const SIGNING_KEY = 'PSK_fuzz_signing_key_0123';

const call = simulatedCall();
const RECORDING_BASES = (['recording', 'paused', 'finished', 'no_input', 'error'] as const).map((state) =>
  recordingStatusBody(call, { state }),
);
const ARGS: Record<string, Record<string, unknown>> = {
  get_recording_consent: { response: 'yes' },
  collect_sensitive_info: { info_type: 'card' },
  ssn_received: { ssn: '123456789' },
};
const SWAIG_BASES = [
  ...agentTools.map((tool) => swaigRequestBody(call, { functionName: tool.name, args: ARGS[tool.name] ?? {} })),
  signatureRequestBody(call),
];
const RECORDING_INFO = swaigRequestBody(call, { functionName: 'recording_info', args: {} });
const PAYMENT_BASES = [paymentConnectorBody({ amount: '12.34' }), paymentConnectorBody({ amount: '0' })];

/** A request body on the wire: text (maybe base64, as API Gateway sends binary), or any bytes base64. */
function wireBodies(bases: ReadonlyArray<Record<string, unknown>>): fc.Arbitrary<{ bytes: Buffer; base64: boolean }> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ bytes: rawBodies(bases).map((text) => Buffer.from(text, 'utf8')), base64: fc.boolean() }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ bytes: fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)), base64: fc.constant(true) }),
    },
  );
}

/** The event as API Gateway builds it; `signed` adds SignalWire's signature over URL + exact bytes. */
function eventFor(path: string, wire: { bytes: Buffer; base64: boolean }, signed: boolean): HttpEvent {
  const headers: Record<string, string> = {};
  if (signed) {
    headers['x-signalwire-signature'] = createHmac('sha1', SIGNING_KEY).update(`${BASE}${path}`).update(wire.bytes).digest('hex');
  }
  const event = apiEvent({ path, headers });
  event.body = wire.base64 ? wire.bytes.toString('base64') : wire.bytes.toString('utf8');
  event.isBase64Encoded = wire.base64;
  return event;
}

let swaig: Handler;
let recordingStatus: Handler;
let payment: Handler;
let restoreOutput: () => void;

beforeAll(async () => {
  Object.assign(process.env, TEST_SECRETS, { SWML_PROXY_URL_BASE: BASE, SIGNALWIRE_SIGNING_KEY: SIGNING_KEY });
  resetInstance();
  useConsentStoreForTests(new InMemoryConsentStore());
  memory = memoryRecordingDeps();
  useRecordingDepsForTests(memory);
  swaig = (await import('#functions/swaig/handler.js')).handler as unknown as Handler;
  recordingStatus = (await import('#functions/recording-status/handler.js')).handler as unknown as Handler;
  payment = (await import('#functions/payment-connector/handler.js')).handler as unknown as Handler;
  restoreOutput = dropOutput();
});
afterAll(() => {
  restoreOutput();
  useConsentStoreForTests(undefined);
  useRecordingDepsForTests(undefined);
});

/** A 4xx or a success, with a JSON body; never a 5xx. */
async function expectNoServerError(handler: Handler, event: HttpEvent): Promise<number> {
  const result = await handler(event, lambdaContext());
  expect(result.statusCode).toBeLessThan(500);
  expect(() => JSON.parse(result.body)).not.toThrow();
  return result.statusCode;
}

describe.each([
  ['/swaig', () => swaig, SWAIG_BASES],
  ['/recording-status', () => recordingStatus, RECORDING_BASES],
  ['/payment', () => payment, PAYMENT_BASES],
] as const)('%s handler under fuzzed bodies', (path, handler, bases) => {
  it('answers every body with a success or a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(wireBodies(bases), fc.boolean(), async (wire, signed) => {
        await expectNoServerError(handler(), eventFor(path, wire, signed));
      }),
      { numRuns: RUNS },
    );
  });
});

/** Runs `work` with SWML_PROXY_URL_BASE unset: the public URL then comes from the request's headers. */
async function withoutProxyBase(work: () => Promise<void>): Promise<void> {
  delete process.env.SWML_PROXY_URL_BASE;
  resetInstance();
  // The reset forgets the in-memory stores too: the same ones go back in.
  useRecordingDepsForTests(memory);
  try {
    await work();
  } finally {
    process.env.SWML_PROXY_URL_BASE = BASE;
    resetInstance();
    useRecordingDepsForTests(memory);
  }
}

describe("SWAIG's __token query parameter", () => {
  it('any token on any secure or plain tool: never a 5xx', async () => {
    const token = fc.oneof(
      anyText(),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('base64url')),
      // Five dot-separated parts, the token's shape, filled with anything.
      fc.array(anyText(), { minLength: 5, maxLength: 5 }).map((parts) => Buffer.from(parts.join('.')).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SWAIG_BASES), token, async (body, __token) => {
        await expectNoServerError(swaig, apiEvent({ path: '/swaig', body, query: { __token } }));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('headers', () => {
  const header = fc.oneof(
    anyText(),
    fc.constantFrom(
      '',
      ' ',
      'Basic',
      'Basic ',
      'Basic ====',
      'Basic !!!',
      'bearer x',
      'application/json',
      'text/plain',
      'a'.repeat(9000),
    ),
    fc.base64String().map((b) => `Basic ${b}`),
    fc.tuple(fc.string(), fc.string()).map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`),
  );
  const names = fc.constantFrom(
    'authorization',
    'Authorization',
    'content-type',
    'x-signalwire-signature',
    'x-signalwire-sha256-signature',
    'x-forwarded-host',
    'x-forwarded-proto',
    'host',
  );

  const property = () =>
    fc.asyncProperty(
      fc.constantFrom(
        ...SWAIG_BASES.map((b) => ['/swaig', b] as const),
        ...RECORDING_BASES.map((b) => ['/recording-status', b] as const),
      ),
      fc.dictionary(names, header, { maxKeys: 4 }),
      async ([path, body], headers) => {
        const event = apiEvent({ path, body, headers });
        await expectNoServerError(path === '/swaig' ? swaig : recordingStatus, event);
      },
    );

  it('a real SWAIG or recording body with any of the headers we read set to anything: never a 5xx', async () => {
    await fc.assert(property(), { numRuns: RUNS });
  });

  it('the same without SWML_PROXY_URL_BASE, where Host and X-Forwarded-* make the URLs we hand out', async () => {
    await withoutProxyBase(() => fc.assert(property(), { numRuns: RUNS }));
  });

  // Found by the property above: the URL built from these headers was parsed unchecked (500).
  // An empty Host never was a 500 ("https:///swaig" parses, as host "swaig") but is refused now too.
  it.each([
    [{ 'x-forwarded-host': 'a b' }],
    [{ 'x-forwarded-host': 'évil.example:99999' }],
    [{ 'x-forwarded-proto': 'ht tp' }],
    [{ host: 'Basic ' }],
    [{ host: '' }],
  ])('regression: %o is a 400, not a 500', async (headers) => {
    await withoutProxyBase(async () => {
      const event = apiEvent({ path: '/swaig', body: RECORDING_INFO, headers });
      expect(await expectNoServerError(swaig, event)).toBe(400);
      const thrown = (() => {
        try {
          return publicBaseUrl(event, parseConfig({}));
        } catch (error) {
          return error;
        }
      })();
      expect(isAppError(thrown) && thrown.statusCode).toBe(400);
    });
  });

  it('takes the first host of a forwarded chain ("a, b"), as it does the first proto', async () => {
    const event = apiEvent({
      path: '/swaig',
      headers: { 'x-forwarded-host': 'agent.example.org, proxy.internal', 'x-forwarded-proto': 'https, http' },
    });
    expect(publicBaseUrl(event, parseConfig({}))).toBe('https://agent.example.org');
  });
});
