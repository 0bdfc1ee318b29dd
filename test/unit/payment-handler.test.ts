import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from '#shared/http/response.js';
import type { HttpEvent } from '#shared/http/middleware.js';
import type { Context } from 'aws-lambda';
import { captureLogs } from '#test/support/logs.js';
import { TEST_SECRETS } from '#test/support/storage.js';
import { apiEvent, lambdaContext } from '#test/support/signalwire.js';
import { resetInstance } from '#shared/instance.js';

/**
 * The deployed function end to end (API Gateway v2 event → middy chain → connector → test
 * gateway) with card data planted in every request, then every log line and every response
 * searched for it.
 */
const PAN = '5105105105105100';
const BAD_PAN = '5105105105105106';
const CVV = '8093';
const EXPIRY = { month: '07', year: '2043' };
const SIGNING_KEY = 'PSK_payment_test_key_42';
const PUBLIC_BASE = 'https://pay.example.com';

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

function connectorBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    transaction_id: '0b6c7f55-8a8e-4f59-9d43-3c2f1e0d9a77',
    method: 'credit-card',
    cardnumber: PAN,
    cvv: CVV,
    expiry_month: EXPIRY.month,
    expiry_year: EXPIRY.year,
    postal_code: '94107',
    chargeAmount: '12.34',
    currency_code: 'USD',
    token_type: 'one-time',
    description: 'test charge',
    parameters: {},
    ...overrides,
  });
}

/** Places card data can hide in text: whole, spaced, dashed, or split into its parts. */
function leaks(text: string): string[] {
  // Our own random ids are hex and could contain any four digits by chance: set them aside.
  const scrubbed = text.replace(/(ch|tok)_test_[0-9a-f]+/g, '<id>');
  const needles: Array<[string, RegExp]> = [
    ['pan', new RegExp(PAN)],
    ['bad pan', new RegExp(BAD_PAN)],
    ['pan spaced', /5105[\s-]?1051[\s-]?0510/],
    ['pan first twelve', /510510510510/],
    ['cvv', new RegExp(`(?<!\\d)${CVV}(?!\\d)`)],
    ['expiry year', new RegExp(`(?<!\\d)${EXPIRY.year}(?!\\d)`)],
    ['expiry mm/yy', new RegExp(`${EXPIRY.month}\\s*/\\s*(${EXPIRY.year}|${EXPIRY.year.slice(2)})(?!\\d)`)],
  ];
  return needles.filter(([, re]) => re.test(scrubbed)).map(([name]) => name);
}

describe('payment-connector function: card data stays in', () => {
  const saved = { ...process.env };
  let handler: Handler;
  let logs: ReturnType<typeof captureLogs>;
  const responses: HttpResult[] = [];

  async function post(body: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    const result = await handler(apiEvent({ path: '/payment', rawBody: body, headers }), lambdaContext());
    responses.push(result);
    return result;
  }

  beforeAll(async () => {
    Object.assign(process.env, TEST_SECRETS, {
      SWML_PROXY_URL_BASE: PUBLIC_BASE,
      SIGNALWIRE_SIGNING_KEY: SIGNING_KEY,
      // An operator switching on Powertools event logging must not make the raw body loggable.
      POWERTOOLS_LOGGER_LOG_EVENT: 'true',
    });
    delete process.env.PAYMENT_GATEWAY;
    resetInstance();
    // Imported after the environment is set, as Lambda would load it.
    ({ handler } = await import('#functions/payment-connector/handler.js'));
    logs = captureLogs();
  });

  afterAll(() => {
    logs.restore();
    process.env = saved;
    resetInstance();
  });

  it('approves a good card: 200 {charge_id, error_code: null, error_message: null}', async () => {
    const result = await post(connectorBody());
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(JSON.parse(result.body)).toEqual({
      charge_id: expect.stringMatching(/^ch_test_/),
      error_code: null,
      error_message: null,
    });
  });

  it('tokenizes when SignalWire sends amount 0', async () => {
    const result = await post(connectorBody({ chargeAmount: undefined, amount: 0, token_type: 'reusable' }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      token_id: expect.stringMatching(/^tok_test_/),
      error_code: null,
      error_message: null,
    });
  });

  it('declines a Luhn-invalid card with 402 and a null charge_id', async () => {
    const result = await post(connectorBody({ cardnumber: BAD_PAN }));
    expect(result.statusCode).toBe(402);
    expect(JSON.parse(result.body)).toEqual({ charge_id: null, error_code: 'card_declined', error_message: expect.any(String) });
  });

  it('declines an expired card (two-digit year) with expired_card', async () => {
    const result = await post(connectorBody({ expiry_month: '01', expiry_year: '20' }));
    expect(result.statusCode).toBe(402);
    expect(JSON.parse(result.body)).toMatchObject({ charge_id: null, error_code: 'expired_card' });
  });

  it('answers 400 naming the missing and the wrong fields', async () => {
    const result = await post(connectorBody({ expiry_year: undefined, cvv: [CVV] }));
    expect(result.statusCode).toBe(400);
    const answer = JSON.parse(result.body) as { error_code: string; error_message: string };
    expect(answer.error_code).toBe('invalid_request');
    expect(answer.error_message).toBe('missing fields: expiry_year; invalid fields: cvv');
  });

  it('answers 400 to wrong types (card number as an object, amount as text)', async () => {
    const result = await post(connectorBody({ cardnumber: { pan: PAN, cvv: CVV }, chargeAmount: `${PAN} dollars` }));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error_message: 'invalid fields: cardnumber, chargeAmount' });
  });

  it('verifies a signature when SignalWire sends one; a forged one is logged, and the payment is not dropped', async () => {
    // Signing is undocumented for the connector (docs/protocol.md §7); basic auth admitted it.
    const body = connectorBody();
    const good = createHmac('sha1', SIGNING_KEY).update(`${PUBLIC_BASE}/payment${body}`).digest('hex');
    expect((await post(body, { 'X-Signalwire-Signature': good })).statusCode).toBe(200);
    expect(logs.text()).not.toContain('request signature does not match');
    const forged = createHmac('sha1', 'guessed-key').update(`${PUBLIC_BASE}/payment${body}`).digest('hex');
    expect((await post(body, { 'X-Signalwire-Signature': forged })).statusCode).toBe(200);
    expect(logs.text()).toContain('request signature does not match');
  });

  it('refuses wrong basic auth before reading the card', async () => {
    expect((await post(connectorBody(), { authorization: 'Basic c2lnbmFsd2lyZTp3cm9uZw==' })).statusCode).toBe(401);
  });

  it('never writes the card number, CVV or expiry to any log line or response', () => {
    const lines = logs.lines();
    // The requests above did log (so the capture works) — brand and last four only.
    expect(logs.text()).toContain('payment approved');
    expect(logs.text()).toContain('payment declined');
    expect(logs.text()).toContain('payment request rejected');
    expect(logs.text()).toContain('"last4":"5100"');
    for (const line of lines) expect({ line, leaks: leaks(line) }).toEqual({ line, leaks: [] });
    expect(responses.length).toBeGreaterThanOrEqual(9);
    for (const r of responses) expect({ body: r.body, leaks: leaks(JSON.stringify(r)) }).toEqual({ body: r.body, leaks: [] });
  });

  it('the leak detector itself finds planted values', () => {
    expect(leaks(`{"cardnumber":"${PAN}","cvv":"${CVV}","exp":"${EXPIRY.month}/${EXPIRY.year.slice(2)}"}`)).toEqual([
      'pan',
      'pan spaced',
      'pan first twelve',
      'cvv',
      'expiry mm/yy',
    ]);
    expect(leaks('ch_test_ab8093cd2043 at 1764060893123')).toEqual([]);
  });
});
