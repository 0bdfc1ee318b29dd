import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  currentRecordingStatusBody,
  paymentConnectorBody,
  recordingStatusBody,
  signatureRequestBody,
  simulatedCall,
  swaigRequestBody,
} from '#infra/local/cli/signalwire-payloads.js';
import { agentTools } from '#shared/agent/tools.js';
import { getConfig } from '#shared/config.js';
import { type HttpEvent, jsonBody } from '#shared/http/middleware.js';
import { handlePaymentRequest } from '#shared/payments/connector.js';
import { ConnectorRequestError, parseConnectorRequest } from '#shared/payments/connector-request.js';
import { createTestGateway } from '#shared/payments/test-gateway.js';
import { parsePrivacyRequest } from '#shared/privacy/privacy-core.js';
import { parseRecordingWebhook } from '#shared/recordings/webhook.js';
import { parseSwaigRequest } from '#shared/swaig/request.js';
import { isSafeId } from '#shared/validation/ids.js';
import { anyText, dropOutput, hostileBodies, parsedOrClientError, rawBodies } from '#test/support/fuzz.js';
import { apiEvent, lambdaContext } from '#test/support/signalwire.js';
import { resetInstance } from '#shared/instance.js';

/**
 * Issue #10: every parser of outside input either parses or refuses with a 4xx, whatever it is
 * handed. Anything else thrown would be answered 500 (and SignalWire retries 5xx forever).
 * Fixed run counts keep the file to a few seconds; failures print a replayable seed.
 */
const RUNS = 300;

const call = simulatedCall();
const RECORDING_STATES = ['recording', 'paused', 'finished', 'no_input', 'error'] as const;
const RECORDING_BASES: Array<Record<string, unknown>> = [
  ...RECORDING_STATES.map((state) => recordingStatusBody(call, { state })),
  // SignalWire's current shape: recording_id, url, times flat in params; record = {audio: {format, …}}.
  ...RECORDING_STATES.map((state) => currentRecordingStatusBody(call, { state, format: 'wav' })),
  {
    event_type: 'calling.call.record',
    params: {
      call_id: call.callId,
      control_id: 'main',
      state: 'finished',
      recording_id: randomUUID(),
      url: 'https://files.example.com/segment.mp4',
      duration: 3,
      size: 512,
      start_time: '2026-01-02T03:04:05.678Z',
      end_time: '2026-01-02T03:04:08.678Z',
      record: { audio: { format: 'mp4', direction: 'both', stereo: false } },
    },
  },
  {
    event_type: 'calling.call.record',
    params: {
      call_id: call.callId,
      control_id: 'main',
      state: 'finished',
      url: `https://example.signalwire.com/api/v1/recordings/${randomUUID()}/download`,
      duration: '7',
      size: '1024',
    },
  },
  { call_id: call.callId, recording_url: 'https://example.com/rec.mp3', duration: '12', status: 'completed' },
];

const ARGS: Record<string, Record<string, unknown>> = {
  get_recording_consent: { response: 'yes' },
  collect_sensitive_info: { info_type: 'card' },
  ssn_received: { ssn: '123456789' },
};
const SWAIG_BASES: Array<Record<string, unknown>> = [
  ...agentTools.map((tool) => swaigRequestBody(call, { functionName: tool.name, args: ARGS[tool.name] ?? {} })),
  signatureRequestBody(call),
  signatureRequestBody(call, ['get_recording_consent', 'nope']),
];

const PAYMENT_BASES: Array<Record<string, unknown>> = [
  paymentConnectorBody({ amount: '12.34', parameters: { invoice: '42' } }),
  { ...paymentConnectorBody({ amount: '0' }), parameters: [{ name: 'invoice', value: 42 }] },
  { ...paymentConnectorBody({ amount: '1' }), chargeAmount: undefined, amount: 5, expiry_year: 2031, cvv: 737 },
];

const PRIVACY_BASES: Array<Record<string, unknown>> = [
  { action: 'erase', callId: call.callId, reason: 'data-subject-request', requestedBy: 'ops@example.com' },
  { action: 'erase', caller: 'a'.repeat(64) },
  { action: 'export', caller: '+1 (415) 555-0100' },
  { action: 'export', caller: 'sip:alice@example.com' },
  { action: 'hold', callId: call.callId, reason: 'litigation' },
  { action: 'release', callId: call.callId },
  { action: 'audit', callId: call.callId },
];

describe('parseRecordingWebhook', () => {
  it('parses a valid callback or refuses it with a 4xx', () => {
    fc.assert(
      fc.property(hostileBodies(RECORDING_BASES), (body) => {
        const result = parsedOrClientError(() => parseRecordingWebhook(body));
        if (!('value' in result)) return;
        const event = result.value;
        expect(isSafeId(event.callId) && isSafeId(event.recordingId)).toBe(true);
        if (event.signalwireRecordingId !== undefined) expect(event.recordingId).toBe(event.signalwireRecordingId);
        expect(['recording', 'paused', 'finished', 'no_input', 'error']).toContain(event.state);
        if (event.state === 'finished') expect(event.url).toBeDefined();
        if (event.url !== undefined) expect(new URL(event.url).protocol).toMatch(/^https?:$/);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseSwaigRequest', () => {
  it('parses a valid request or refuses it with a 4xx', () => {
    fc.assert(
      fc.property(hostileBodies(SWAIG_BASES), (body) => {
        const result = parsedOrClientError(() => parseSwaigRequest(body));
        if (!('value' in result) || result.value.kind !== 'call') return;
        expect(isSafeId(result.value.callId)).toBe(true);
        expect(typeof result.value.args).toBe('object');
        expect(typeof result.value.globalData).toBe('object');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseConnectorRequest', () => {
  it('parses a valid request or throws ConnectorRequestError (answered 400), nothing else', async () => {
    const gateway = createTestGateway();
    const restoreOutput = dropOutput();
    try {
      await fc.assert(
        fc.asyncProperty(hostileBodies(PAYMENT_BASES), async (body) => {
          try {
            parseConnectorRequest(body);
          } catch (error) {
            if (!(error instanceof ConnectorRequestError)) throw error;
          }
          // The connector's own answer: 200/402 from the test gateway, 400 for a refused request.
          expect([200, 400, 402]).toContain((await handlePaymentRequest(body, gateway)).statusCode);
        }),
        { numRuns: RUNS },
      );
    } finally {
      restoreOutput();
    }
  });
});

describe('parsePrivacyRequest', () => {
  it('never throws: a request, or an invalid_request answer', () => {
    fc.assert(
      fc.property(hostileBodies(PRIVACY_BASES), (event) => {
        const parsed = parsePrivacyRequest(event);
        if ('error' in parsed) {
          expect(parsed.error).toMatchObject({ ok: false, error: { code: 'invalid_request', retryable: false } });
          return;
        }
        const { request } = parsed;
        expect(['erase', 'export', 'hold', 'release', 'audit']).toContain(request.action);
        if (request.callId !== undefined) expect(isSafeId(request.callId)).toBe(true);
        expect((request.callId === undefined) !== (request.caller === undefined)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('jsonBody middleware', () => {
  let limit: number;
  beforeAll(() => {
    resetInstance();
    limit = getConfig().MAX_BODY_BYTES;
  });

  /** Runs the middleware alone on an API Gateway event; returns the parsed body or the 4xx status. */
  function readBody(event: HttpEvent, allowEmpty = false): { value: { raw: string; json: unknown } } | { status: number } {
    const middleware = jsonBody({ allowEmpty });
    const request = { event, context: lambdaContext(), response: undefined, error: undefined, internal: {} };
    return parsedOrClientError(() => {
      middleware.before?.(request as never);
      return { raw: event.rawBody, json: event.jsonBody };
    });
  }

  function expectObjectOrClientError(result: ReturnType<typeof readBody>): void {
    if (!('value' in result)) return;
    expect(typeof result.value.raw).toBe('string');
    const json = result.value.json;
    expect(json !== null && typeof json === 'object' && !Array.isArray(json)).toBe(true);
  }

  const contentType = fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/vnd.api+json',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      '',
    ),
    fc.string(),
  );

  it('text bodies, plain or base64 (as API Gateway encodes binary), with any content type', () => {
    fc.assert(
      fc.property(
        rawBodies([...RECORDING_BASES, ...SWAIG_BASES]),
        contentType,
        fc.boolean(),
        fc.boolean(),
        (text, type, base64, allowEmpty) => {
          const event = apiEvent({ path: '/x', rawBody: text, base64, headers: { 'content-type': type } });
          expectObjectOrClientError(readBody(event, allowEmpty));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses a base64 body that is not valid UTF-8 (400 invalid_encoding) instead of storing U+FFFD', () => {
    const good = Buffer.from(JSON.stringify({ call_id: 'abc', state: 'n\u00f6' }), 'utf8');
    const bad = Buffer.concat([good.subarray(0, 20), Buffer.from([0xff, 0xfe]), good.subarray(20)]);
    const read = (bytes: Buffer) => {
      const event = apiEvent({ path: '/x' });
      event.body = bytes.toString('base64');
      event.isBase64Encoded = true;
      return readBody(event);
    };
    expect(read(bad)).toEqual({ status: 400 });
    expect(read(good)).toMatchObject({ value: { json: { call_id: 'abc', state: 'nö' } } });
  });

  it('bytes that are not UTF-8, and base64 that is not base64', () => {
    const json = new TextEncoder().encode(JSON.stringify(recordingStatusBody(call)));
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      // A real payload with arbitrary bytes (overlong forms, lone continuation bytes, 0xff) spliced in.
      fc
        .tuple(fc.nat({ max: json.length }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
        .map(([at, junk]) => Buffer.concat([json.subarray(0, at), junk, json.subarray(at)])),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          bytes.map((b) => Buffer.from(b).toString('base64')),
          anyText(),
        ),
        (body) => {
          const event = apiEvent({ path: '/x' });
          event.body = body;
          event.isBase64Encoded = true;
          expectObjectOrClientError(readBody(event));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('bodies around the size limit: 413 exactly when the decoded bytes exceed it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -16, max: 16 }),
        fc.constantFrom('x', 'é', '€', '😀'),
        fc.boolean(),
        (delta, char, base64) => {
          const frame = Buffer.byteLength('{"pad":""}');
          const charBytes = Buffer.byteLength(char);
          const count = Math.max(0, Math.floor((limit + delta - frame) / charBytes));
          const text = `{"pad":"${char.repeat(count)}"}`;
          const result = readBody(apiEvent({ path: '/x', rawBody: text, base64 }));
          if (Buffer.byteLength(text) > limit) expect(result).toEqual({ status: 413 });
          else expect('value' in result).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('deeply nested JSON up to the size limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Math.floor(limit / 6) }), fc.boolean(), (depth, asObject) => {
        const text = asObject ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
        const result = readBody(apiEvent({ path: '/x', rawBody: text }));
        if (asObject) expect('value' in result).toBe(true);
        else expect(result).toEqual({ status: 400 });
      }),
      { numRuns: 10 },
    );
  });
});
