import { createHmac, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { paymentConnectorBody, recordingStatusBody, simulatedCall } from '#infra/local/cli/signalwire-payloads.js';
import { decidedUrl, UNDECIDED } from '#shared/consent/call-decision.js';
import { InMemoryConsentStore } from '#shared/consent/memory-consent-store.js';
import type { HttpEvent } from '#shared/http/middleware.js';
import type { HttpResult } from '#shared/http/response.js';
import { resetInstance } from '#shared/instance.js';
import { metrics, MetricName } from '#shared/observability/metrics.js';
import { paymentConnectorUrl } from '#shared/payments/call-token.js';
import { usePaymentAuditStoreForTests } from '#shared/payments/payment-audit.js';
import { captureLogs } from '#test/support/logs.js';
import { useRecordingDepsForTests } from '#shared/recordings/recording-status-core.js';
import { memoryRecordingDeps } from '#test/support/memory-recording-deps.js';
import { apiEvent, lambdaContext } from '#test/support/signalwire.js';
import { TEST_SECRETS } from '#test/support/storage.js';

/**
 * Issue #11 point 8: /recording-status and /payment admit EITHER basic auth OR the call's token in
 * the query (SignalWire does not document honouring `user:pass@` in record_call.status_url or
 * pay.payment_connector_url); neither, or a wrong token without basic auth → 401. A signature is
 * verified only where SignalWire documents signing (SWML); here a mismatch is counted and logged
 * and the request is processed. Issue #11 point 7: the connector audits each outcome on the call
 * its token proves, and a payment without a valid token is still answered, audited nowhere.
 */
let memory = memoryRecordingDeps();

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

const BASE = 'https://agent.example.com';
const SIGNING_KEY = 'PSK_callback_auth_key_77';
const saved = { ...process.env };
let recordingStatus: Handler;
let payment: Handler;
let audit: InMemoryConsentStore;
let addMetric: { mock: { calls: unknown[][] }; mockRestore(): void } | undefined;

beforeAll(async () => {
  Object.assign(process.env, TEST_SECRETS, { SWML_PROXY_URL_BASE: BASE, SIGNALWIRE_SIGNING_KEY: SIGNING_KEY });
  delete process.env.PAYMENT_GATEWAY;
  resetInstance();
  recordingStatus = (await import('#functions/recording-status/handler.js')).handler as unknown as Handler;
  payment = (await import('#functions/payment-connector/handler.js')).handler as unknown as Handler;
});

afterAll(() => {
  useRecordingDepsForTests(undefined);
  usePaymentAuditStoreForTests(undefined);
  process.env = saved;
  resetInstance();
});

beforeEach(() => {
  memory = memoryRecordingDeps();
  useRecordingDepsForTests(memory);
  audit = new InMemoryConsentStore();
  usePaymentAuditStoreForTests(audit);
  addMetric?.mockRestore();
  addMetric = vi.spyOn(metrics(), 'addMetric');
});

const counted = (name: string): number => (addMetric?.mock.calls ?? []).filter((call) => call[0] === name).length;

/** The query of a URL we hand SignalWire: the token it carries. */
const queryOf = (url: string): Record<string, string> => Object.fromEntries(new URL(url).searchParams);
/** What the SWML document puts in a recording's status_url for the call (shared/consent/call-decision.ts). */
const statusQuery = (callId: string, secret: string = TEST_SECRETS.TOKEN_SECRET) =>
  queryOf(decidedUrl(`${BASE}/recording-status`, callId, UNDECIDED, secret));
/** What process_payment puts in pay.payment_connector_url for the call (shared/payments/call-token.ts). */
const paymentQuery = (callId: string, secret: string = TEST_SECRETS.TOKEN_SECRET, ttl = 600) =>
  queryOf(paymentConnectorUrl(`${BASE}/payment`, callId, secret, ttl));

const signature = (path: string, query: Record<string, string>, body: string, key = SIGNING_KEY): string => {
  const search = new URLSearchParams(query).toString();
  return createHmac('sha1', key)
    .update(`${BASE}${path}${search ? `?${search}` : ''}${body}`)
    .digest('hex');
};

interface Post {
  query?: Record<string, string>;
  /** undefined: the right basic auth; null: none; a string: that Authorization header. */
  auth?: string | null;
  headers?: Record<string, string>;
}

const WRONG_AUTH = `Basic ${Buffer.from('signalwire:not-the-password').toString('base64')}`;

function statusCallback(callId: string, options: Post = {}): Promise<HttpResult> {
  // An `error` callback: processed by ingest (audited), nothing fetched or stored in S3.
  const body = JSON.stringify(recordingStatusBody(simulatedCall({ callId }), { state: 'error' }));
  return recordingStatus(
    apiEvent({ path: '/recording-status', rawBody: body, query: options.query, auth: options.auth, headers: options.headers }),
    lambdaContext('recording-status'),
  );
}

function pay(options: Post & { body?: Record<string, unknown> } = {}): Promise<HttpResult> {
  const body = JSON.stringify(options.body ?? paymentConnectorBody({ amount: '12.34' }));
  return payment(
    apiEvent({ path: '/payment', rawBody: body, query: options.query, auth: options.auth, headers: options.headers }),
    lambdaContext('payment-connector'),
  );
}

describe('callback auth: basic auth OR the call token on /recording-status and /payment (issue #11 point 8)', () => {
  describe('/recording-status', () => {
    it('basic auth only → processed', async () => {
      expect((await statusCallback(randomUUID())).statusCode).toBe(200);
    });

    it("token only (the status_url's signed decision for this call, no Authorization) → processed", async () => {
      const callId = randomUUID();
      const result = await statusCallback(callId, { query: statusQuery(callId), auth: null });
      expect(result.statusCode).toBe(200);
      expect(await memory.consent.listEvents(callId)).toContainEqual(expect.objectContaining({ type: 'recording_error' }));
    });

    it('neither → 401, nothing processed', async () => {
      const callId = randomUUID();
      expect((await statusCallback(callId, { auth: null })).statusCode).toBe(401);
      expect((await statusCallback(callId, { auth: WRONG_AUTH })).statusCode).toBe(401);
      expect(await memory.consent.listEvents(callId)).toEqual([]);
      expect(counted(MetricName.AuthFailure)).toBe(2);
    });

    it.each([
      ['another call', () => statusQuery(randomUUID())],
      ['another secret', () => ({ ...statusQuery('x'), ...statusQuery(randomUUID(), 'a-guessed-token-secret-0000') })],
      ['tampered facts', (callId: string) => ({ ...statusQuery(callId), decided: 'disclose-and-record:US-TX:-' })],
      ['garbage', () => ({ decided: 'consent-first:XX:-', basis: 'not-a-token' })],
    ])('wrong token (%s) and no basic auth → 401', async (_label, query) => {
      const callId = randomUUID();
      for (const auth of [null, WRONG_AUTH]) {
        expect((await statusCallback(callId, { query: query(callId), auth })).statusCode).toBe(401);
      }
      expect(await memory.consent.listEvents(callId)).toEqual([]);
    });

    it('a wrong token with good basic auth → processed (either credential is enough)', async () => {
      expect((await statusCallback(randomUUID(), { query: statusQuery(randomUUID()) })).statusCode).toBe(200);
    });

    it('a bad signature → processed, counted (SignatureMismatch) and logged', async () => {
      const callId = randomUUID();
      const logs = captureLogs();
      try {
        const query = statusQuery(callId);
        const result = await statusCallback(callId, {
          query,
          auth: null,
          headers: { 'x-signalwire-signature': signature('/recording-status', query, '{}', 'guessed-key') },
        });
        expect(result.statusCode).toBe(200);
        expect(counted(MetricName.SignatureMismatch)).toBe(1);
        expect(counted(MetricName.AuthFailure)).toBe(0);
        expect(logs.text()).toContain('request signature does not match');
      } finally {
        logs.restore();
      }
    });
  });

  describe('/payment', () => {
    it('basic auth only → processed', async () => {
      expect((await pay()).statusCode).toBe(200);
    });

    it('token only (call_id + call_token, no Authorization) → processed', async () => {
      expect((await pay({ query: paymentQuery(randomUUID()), auth: null })).statusCode).toBe(200);
    });

    it('neither → 401 before the card is read', async () => {
      expect((await pay({ auth: null })).statusCode).toBe(401);
      expect((await pay({ auth: WRONG_AUTH })).statusCode).toBe(401);
      expect(counted(MetricName.PaymentApproved)).toBe(0);
    });

    it.each([
      ['another call', (callId: string) => ({ ...paymentQuery(randomUUID()), call_id: callId })],
      ['another secret', (callId: string) => paymentQuery(callId, 'a-guessed-token-secret-0000')],
      ['expired', (callId: string) => paymentQuery(callId, TEST_SECRETS.TOKEN_SECRET, -1)],
      ['no call id', (callId: string) => ({ call_token: paymentQuery(callId).call_token ?? '' })],
      ['garbage', (callId: string) => ({ call_id: callId, call_token: 'abc' })],
    ])('wrong token (%s) and no basic auth → 401, nothing charged', async (_label, query) => {
      for (const auth of [null, WRONG_AUTH]) {
        expect((await pay({ query: query(randomUUID()), auth })).statusCode).toBe(401);
      }
      expect(counted(MetricName.PaymentApproved)).toBe(0);
    });

    it('a bad signature → processed (the payment is not dropped), counted and logged', async () => {
      const callId = randomUUID();
      const query = paymentQuery(callId);
      const result = await pay({
        query,
        auth: null,
        headers: { 'x-signalwire-signature': signature('/payment', query, '{}', 'guessed-key') },
      });
      expect(result.statusCode).toBe(200);
      expect(counted(MetricName.SignatureMismatch)).toBe(1);
      expect(await audit.listEvents(callId)).toHaveLength(1);
    });

    it('a good signature → processed, nothing counted as a mismatch', async () => {
      const body = JSON.stringify(paymentConnectorBody({ amount: '1.00' }));
      const query = paymentQuery(randomUUID());
      const result = await payment(
        apiEvent({
          path: '/payment',
          rawBody: body,
          query,
          auth: null,
          headers: { 'x-signalwire-signature': signature('/payment', query, body) },
        }),
        lambdaContext('payment-connector'),
      );
      expect(result.statusCode).toBe(200);
      expect(counted(MetricName.SignatureMismatch)).toBe(0);
    });
  });
});

describe('payment outcome in the call audit trail (issue #11 point 7)', () => {
  const DECLINE_CARD = { number: '4000000000000002', cvv: '123', postalCode: '94107' };

  it.each([
    ['approved', {}, 200, { outcome: 'approved', kind: 'charge' }, MetricName.PaymentApproved],
    [
      'declined',
      { card: DECLINE_CARD },
      402,
      { outcome: 'declined', kind: 'charge', error_code: 'card_declined' },
      MetricName.PaymentDeclined,
    ],
    [
      'error',
      { broken: true },
      400,
      { outcome: 'error', kind: 'charge', error_code: 'invalid_request' },
      MetricName.PaymentError,
    ],
  ] as const)('%s: one payment_result event on the call, the outcome counted', async (_label, input, status, detail, metric) => {
    const callId = randomUUID();
    const body: Record<string, unknown> = paymentConnectorBody({ amount: '12.34' }, 'card' in input ? input.card : undefined);
    if ('broken' in input) delete body.expiry_year;
    const result = await pay({ body, query: paymentQuery(callId), auth: null });
    expect(result.statusCode).toBe(status);
    const events = await audit.listEvents(callId);
    expect(events).toEqual([{ type: 'payment_result', at: expect.any(String), detail }]);
    expect(counted(metric)).toBe(1);
    expect(counted(MetricName.PaymentUnknownCall)).toBe(0);
    // Never card data: no card field, no digit run in what the event says.
    expect(JSON.stringify(events.map((e) => e.detail))).not.toMatch(/\d{4}|card(number)?"|cvv|expir|postal/i);
  });

  it('tokenization is audited as such', async () => {
    const callId = randomUUID();
    await pay({ body: paymentConnectorBody({ amount: '0' }), query: paymentQuery(callId) });
    expect((await audit.listEvents(callId))[0]?.detail).toEqual({ outcome: 'approved', kind: 'tokenize' });
  });

  it.each([
    ['missing', {}],
    ['forged', { call_id: 'call-a', call_token: paymentQuery('call-a', 'a-guessed-token-secret-0000').call_token ?? '' }],
    ['expired', paymentQuery('call-b', TEST_SECRETS.TOKEN_SECRET, -1)],
  ])('a %s token with basic auth: the payment is still answered, audited nowhere, counted and warned', async (verdict, query) => {
    const logs = captureLogs();
    try {
      const result = await pay({ query });
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ charge_id: expect.stringMatching(/^ch_test_/) });
      for (const callId of ['call-a', 'call-b']) expect(await audit.listEvents(callId)).toEqual([]);
      expect(counted(MetricName.PaymentUnknownCall)).toBe(1);
      expect(logs.text()).toContain('payment outcome not audited');
      expect(logs.text()).toContain(`"reason":"${verdict}"`);
    } finally {
      logs.restore();
    }
  });

  it('the audit store failing never fails the payment: answered, counted, logged', async () => {
    const failing = new InMemoryConsentStore();
    failing.appendEvent = async () => {
      throw new Error('storage down');
    };
    usePaymentAuditStoreForTests(failing);
    const result = await pay({ query: paymentQuery(randomUUID()), auth: null });
    expect(result.statusCode).toBe(200);
    expect(counted(MetricName.PaymentAuditFailed)).toBe(1);
  });

  it('an erased call stays erased: the payment is answered, nothing written', async () => {
    const callId = randomUUID();
    await audit.markErased(callId, {});
    const result = await pay({ query: paymentQuery(callId), auth: null });
    expect(result.statusCode).toBe(200);
    expect((await audit.listEvents(callId)).map((e) => e.type)).toEqual(['erased']);
  });
});
