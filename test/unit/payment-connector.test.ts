import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handlePaymentRequest } from '#shared/payments/connector.js';
import type { ChargeRequest, PaymentGateway, TokenizeRequest } from '#shared/payments/gateway.js';
import { createTestGateway } from '#shared/payments/test-gateway.js';
import { captureLogs } from '#test/support/logs.js';

const NOW = new Date('2026-11-25T08:34:47Z');
const gateway = createTestGateway({ now: () => NOW });

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transaction_id: '6c1e3f1a-2b4d-4e5f-8a9b-0c1d2e3f4a5b',
    method: 'credit-card',
    cardnumber: '4242424242424242',
    cvv: '737',
    expiry_month: '09',
    expiry_year: '31',
    postal_code: '94107',
    chargeAmount: 10.5,
    currency_code: 'USD',
    ...overrides,
  };
}

describe('handlePaymentRequest with the test gateway', () => {
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => logs.restore());

  it('approves a Luhn-valid unexpired card: 200 with charge_id and explicit nulls', async () => {
    const response = await handlePaymentRequest(body(), gateway);
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      charge_id: expect.stringMatching(/^ch_test_[0-9a-f]{24}$/),
      error_code: null,
      error_message: null,
    });
    expect(Object.keys(response.body)).toEqual(['charge_id', 'error_code', 'error_message']);
  });

  it('gives each approval its own charge id', async () => {
    const a = await handlePaymentRequest(body(), gateway);
    const b = await handlePaymentRequest(body(), gateway);
    expect(a.body).not.toEqual(b.body);
  });

  it('tokenizes with amount 0: 200 with token_id', async () => {
    const response = await handlePaymentRequest(body({ chargeAmount: undefined, amount: 0, token_type: 'reusable' }), gateway);
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      token_id: expect.stringMatching(/^tok_test_[0-9a-f]{24}$/),
      error_code: null,
      error_message: null,
    });
  });

  it.each([
    ['the decline test number', { cardnumber: '4000000000000002' }, 'card_declined'],
    ['a Luhn-invalid number', { cardnumber: '4242424242424241' }, 'card_declined'],
    ['an expired card (last month)', { expiry_month: '10', expiry_year: '2026' }, 'expired_card'],
    ['an expired card (two-digit year)', { expiry_month: '12', expiry_year: '25' }, 'expired_card'],
  ])('declines %s with a non-200 and a null charge_id', async (_label, overrides, code) => {
    const response = await handlePaymentRequest(body(overrides), gateway);
    expect(response.statusCode).toBe(402);
    expect(response.body).toEqual({ charge_id: null, error_code: code, error_message: expect.any(String) });
  });

  it('approves a card in its expiry month', async () => {
    expect((await handlePaymentRequest(body({ expiry_month: '11', expiry_year: '2026' }), gateway)).statusCode).toBe(200);
  });

  it('declines a tokenization with token_id null', async () => {
    const response = await handlePaymentRequest(body({ chargeAmount: 0, cardnumber: '4000000000000002' }), gateway);
    expect(response.statusCode).toBe(402);
    expect(response.body).toEqual({ token_id: null, error_code: 'card_declined', error_message: expect.any(String) });
  });

  it('answers a malformed request 400 naming fields, in the connector shape', async () => {
    const response = await handlePaymentRequest({ cardnumber: '4242424242424242', chargeAmount: '1.00' }, gateway);
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({
      charge_id: null,
      error_code: 'invalid_request',
      error_message: 'missing fields: expiry_month, expiry_year',
    });
  });

  it('answers 502 when the gateway throws, without logging what the gateway said', async () => {
    // Prepare: a processor SDK whose error quotes the request (it happens).
    const leaky: PaymentGateway = {
      name: 'leaky',
      charge: async (r: ChargeRequest) => {
        throw new Error(`upstream refused ${r.card.number} cvv ${r.card.cvv ?? ''}`);
      },
      tokenize: async (r: TokenizeRequest) => {
        throw new Error(`upstream refused ${r.card.number}`);
      },
    };
    // Act
    const response = await handlePaymentRequest(body({ cvv: '9471' }), leaky);
    // Assess
    expect(response.statusCode).toBe(502);
    expect(response.body).toEqual({ charge_id: null, error_code: 'processing_error', error_message: expect.any(String) });
    expect(logs.text()).toContain('payment gateway failed');
    expect(logs.text()).not.toContain('upstream refused');
    expect(logs.text()).not.toContain('9471');
  });

  it('logs brand, last four, result and transaction id of each attempt', async () => {
    await handlePaymentRequest(body(), gateway);
    await handlePaymentRequest(body({ cardnumber: '4000000000000002' }), gateway);
    const entries = logs.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const approved = entries.find((e) => e.message === 'payment approved');
    const declined = entries.find((e) => e.message === 'payment declined');
    expect(approved).toMatchObject({
      brand: 'visa',
      last4: '4242',
      result: 'approved',
      transaction_id: '6c1e3f1a-2b4d-4e5f-8a9b-0c1d2e3f4a5b',
      currency: 'usd',
    });
    expect(declined).toMatchObject({ brand: 'visa', last4: '0002', result: 'declined', error_code: 'card_declined' });
  });
});
