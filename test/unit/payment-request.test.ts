import { describe, expect, it } from 'vitest';
import { ConnectorRequestError, parseConnectorRequest, type ConnectorRequest } from '#shared/payments/connector-request.js';

const PAN = '4242424242424242';
const CVV = '737';

/** SignalWire's connector request as docs/protocol.md §4 describes it. */
function signalwireBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transaction_id: '6c1e3f1a-2b4d-4e5f-8a9b-0c1d2e3f4a5b',
    method: 'credit-card',
    cardnumber: PAN,
    cvv: CVV,
    expiry_month: '09',
    expiry_year: '2031',
    postal_code: '94107',
    chargeAmount: '10.50',
    currency_code: 'usd',
    token_type: 'one-time',
    description: 'Invoice 42',
    parameters: { invoice: '42' },
    ...overrides,
  };
}

function rejection(body: unknown): ConnectorRequestError {
  try {
    parseConnectorRequest(body);
  } catch (error) {
    if (error instanceof ConnectorRequestError) return error;
    throw error;
  }
  throw new Error('expected the request to be rejected');
}

function charge(request: ConnectorRequest): Extract<ConnectorRequest, { kind: 'charge' }> {
  expect(request.kind).toBe('charge');
  return request as Extract<ConnectorRequest, { kind: 'charge' }>;
}

describe('parseConnectorRequest', () => {
  it('parses the documented request into a charge', () => {
    const r = charge(parseConnectorRequest(signalwireBody()));
    expect(r).toEqual({
      kind: 'charge',
      amount: '10.50',
      transactionId: '6c1e3f1a-2b4d-4e5f-8a9b-0c1d2e3f4a5b',
      card: { number: PAN, cvv: CVV, expiryMonth: 9, expiryYear: 2031, postalCode: '94107' },
      currency: 'usd',
      tokenType: 'one-time',
      description: 'Invoice 42',
      parameters: { invoice: '42' },
    });
  });

  it.each([
    ['string', '10.50', '10.50'],
    ['integer number', 25, '25'],
    ['decimal number', 19.99, '19.99'],
    ['string with spaces', ' 7.5 ', '7.5'],
  ])('accepts chargeAmount as a %s', (_label, value, expected) => {
    expect(charge(parseConnectorRequest(signalwireBody({ chargeAmount: value }))).amount).toBe(expected);
  });

  it.each([
    ['amount: 0', { chargeAmount: undefined, amount: 0 }],
    ['amount: "0.00"', { chargeAmount: undefined, amount: '0.00' }],
    ['chargeAmount: "0"', { chargeAmount: '0' }],
    ['token_type reusable without any amount', { chargeAmount: undefined, token_type: 'reusable' }],
    ['token_type REUSABLE without any amount', { chargeAmount: undefined, token_type: 'REUSABLE' }],
  ])('treats %s as tokenization', (_label, overrides) => {
    const r = parseConnectorRequest(signalwireBody(overrides));
    expect(r.kind).toBe('tokenize');
    expect(r).not.toHaveProperty('amount');
  });

  it('charges a positive `amount` when chargeAmount is absent', () => {
    expect(charge(parseConnectorRequest(signalwireBody({ chargeAmount: undefined, amount: '3.00' }))).amount).toBe('3.00');
  });

  it.each(['USD', 'usd', 'Usd', ' eur '])('lower-cases currency_code %j', (code) => {
    expect(parseConnectorRequest(signalwireBody({ currency_code: code })).currency).toBe(code.trim().toLowerCase());
  });

  it('defaults a missing currency to usd, as the pay verb does', () => {
    expect(parseConnectorRequest(signalwireBody({ currency_code: undefined })).currency).toBe('usd');
  });

  it.each([
    ['"31"', '31', 2031],
    ['31', 31, 2031],
    ['"2031"', '2031', 2031],
    ['2031', 2031, 2031],
    ['"05"', '05', 2005],
  ])('reads expiry_year %s as %i', (_label, year, expected) => {
    expect(parseConnectorRequest(signalwireBody({ expiry_year: year })).card.expiryYear).toBe(expected);
  });

  it.each([
    ['9', 9],
    ['09', 9],
    [12, 12],
  ])('reads expiry_month %j', (month, expected) => {
    expect(parseConnectorRequest(signalwireBody({ expiry_month: month })).card.expiryMonth).toBe(expected);
  });

  it('accepts a card number with spaces or dashes and a numeric one', () => {
    expect(parseConnectorRequest(signalwireBody({ cardnumber: '4242 4242-4242 4242' })).card.number).toBe(PAN);
    expect(parseConnectorRequest(signalwireBody({ cardnumber: 4242424242424242 })).card.number).toBe(PAN);
  });

  it('keeps a numeric CVV whose leading zero JSON dropped', () => {
    expect(parseConnectorRequest(signalwireBody({ cvv: 12 })).card.cvv).toBe('012');
  });

  it('treats empty cvv and postal_code as not collected', () => {
    const r = parseConnectorRequest(signalwireBody({ cvv: '', postal_code: null }));
    expect(r.card).not.toHaveProperty('cvv');
    expect(r.card).not.toHaveProperty('postalCode');
  });

  it('accepts parameters as the pay verb writes them ([{name, value}])', () => {
    const r = parseConnectorRequest(
      signalwireBody({
        parameters: [
          { name: 'invoice', value: 42 },
          { name: 'vip', value: true },
        ],
      }),
    );
    expect(r.parameters).toEqual({ invoice: '42', vip: 'true' });
  });

  it('names every missing field', () => {
    const error = rejection({ transaction_id: 'abc', chargeAmount: '1.00' });
    expect([...error.missing].sort()).toEqual(['cardnumber', 'expiry_month', 'expiry_year']);
    expect(error.message).toBe('missing fields: cardnumber, expiry_month, expiry_year');
  });

  it('asks for chargeAmount when neither an amount nor a reusable token type is given', () => {
    const error = rejection(signalwireBody({ chargeAmount: undefined, token_type: 'one-time' }));
    expect(error.missing).toEqual(['chargeAmount']);
  });

  it.each([
    ['cardnumber', { cardnumber: true }],
    ['cardnumber', { cardnumber: '4242' }],
    ['cardnumber', { cardnumber: '4242abcd42424242' }],
    ['cardnumber', { cardnumber: { digits: PAN } }],
    ['cvv', { cvv: '12345' }],
    ['cvv', { cvv: ['737'] }],
    ['expiry_month', { expiry_month: '13' }],
    ['expiry_month', { expiry_month: 0 }],
    ['expiry_year', { expiry_year: '203' }],
    ['expiry_year', { expiry_year: false }],
    ['chargeAmount', { chargeAmount: '-5.00' }],
    ['chargeAmount', { chargeAmount: '10,50' }],
    ['chargeAmount', { chargeAmount: 1e300 }],
    ['chargeAmount', { chargeAmount: { value: 1 } }],
    ['currency_code', { currency_code: 'dollars' }],
    ['currency_code', { currency_code: 840 }],
    ['method', { method: 'ach' }],
    ['parameters', { parameters: 'invoice=42' }],
  ])('rejects a wrong %s (%j) by name, without its value', (field, overrides) => {
    const body = signalwireBody(overrides);
    const error = rejection(body);
    expect(error.invalid).toContain(field);
    const value = JSON.stringify(Object.values(overrides)[0]);
    expect(error.message).toContain(field);
    expect(error.message).not.toContain(PAN);
    expect(error.message).not.toContain(CVV);
    expect(error.message).not.toContain(value.replace(/^"|"$/g, ''));
  });

  it('rejects a body that is not an object', () => {
    expect(rejection([signalwireBody()]).invalid).toEqual(['body']);
    expect(rejection('cardnumber=4242').invalid).toEqual(['body']);
  });
});
