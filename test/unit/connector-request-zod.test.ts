import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paymentConnectorBody } from '#infra/local/cli/signalwire-payloads.js';
import { ConnectorRequestError, parseConnectorRequest } from '#shared/payments/connector-request.js';
import { parseConnectorRequestWithZod } from '#test/support/connector-request-zod.js';
import { hostileBodies } from '#test/support/fuzz.js';

/**
 * The hand-written connector reader must read every body exactly as the zod schema it replaced
 * (test/support/connector-request-zod.ts): the same request, or a refusal naming the same
 * missing and invalid fields, in the same order.
 */
type Outcome = { request: unknown } | { missing: readonly string[]; invalid: readonly string[] };

function outcome(parse: (body: unknown) => unknown, body: unknown): Outcome {
  try {
    return { request: parse(body) };
  } catch (error) {
    if (!(error instanceof ConnectorRequestError)) throw error;
    return { missing: error.missing, invalid: error.invalid };
  }
}

const BASES: Array<Record<string, unknown>> = [
  paymentConnectorBody({ amount: '12.34', parameters: { invoice: '42' } }),
  { ...paymentConnectorBody({ amount: '0' }), parameters: [{ name: 'invoice', value: 42 }] },
  { ...paymentConnectorBody({ amount: '1' }), chargeAmount: undefined, amount: 5, expiry_year: 2031, cvv: 737 },
];

const FIELDS = [
  'transaction_id',
  'method',
  'cardnumber',
  'cvv',
  'expiry_month',
  'expiry_year',
  'postal_code',
  'chargeAmount',
  'amount',
  'currency_code',
  'token_type',
  'description',
  'parameters',
] as const;

/** Values near every field's edges: padding, other digits and spaces, signs, lengths, types. */
const edgeText = fc.oneof(
  fc.stringMatching(/^[\s\d.\-+a-zA-Z]{0,22}$/),
  fc.constantFrom(
    '',
    ' ',
    '\u00a009\u00a0',
    '\ufeff12',
    '٣٤',
    '１２',
    '0x1F',
    '1e3',
    '-0',
    '+5',
    '.5',
    '5.',
    '1.2345',
    '123456789.123',
    '1234567890',
    'CREDIT-CARD',
    ' credit-card ',
    'Reusable',
    'usd',
    ' EUR ',
    'eu',
    'İST',
    '4242 4242-4242 4242',
    '4242\t4242\n4242 4242',
    '__proto__',
    'a'.repeat(41),
    'a'.repeat(201),
  ),
);
const edgeNumber = fc.oneof(
  fc.integer({ min: -5, max: 2300 }),
  fc.double(),
  fc.constantFrom(0, -0, 12, 99, 100, 1999, 2199, 2200, 4242424242424242, 2 ** 53, 1e300, Number.NaN, Number.POSITIVE_INFINITY),
);
const edgeParameters = fc.oneof(
  fc.dictionary(
    fc.constantFrom('a', 'b', '__proto__', 'constructor'),
    fc.oneof(edgeText, edgeNumber, fc.boolean(), fc.constant(null)),
  ),
  fc.array(
    fc.record({ name: fc.oneof(edgeText, edgeNumber), value: fc.oneof(edgeText, edgeNumber, fc.boolean(), fc.constant(null)) }),
    {
      maxLength: 3,
    },
  ),
  fc.array(fc.oneof(fc.constant(null), fc.constant([]), fc.record({ name: fc.string() })), { maxLength: 2 }),
  // As JSON.parse makes them: "__proto__" an own key (fast-check's dictionaries cannot make that).
  fc.constantFrom(
    JSON.parse('{"__proto__": "x", "a": "1"}'),
    JSON.parse('{"__proto__": {"b": 2}}'),
    JSON.parse('[{"name": "__proto__", "value": "x"}]'),
  ),
);
const edgeValue = fc.oneof(
  edgeText,
  edgeNumber,
  fc.boolean(),
  fc.constantFrom(null, undefined, [], {}, ['737'], { value: 1 }),
  edgeParameters,
);

/** A real body with any of its fields set to edge values or removed. */
const edgeBodies = fc
  .tuple(fc.constantFrom(...BASES), fc.dictionary(fc.constantFrom(...FIELDS), edgeValue, { maxKeys: 6 }))
  .map(([base, changes]) => ({ ...base, ...changes }));

describe('the connector reader and the zod schema it replaced', () => {
  it('read the documented bodies alike', () => {
    for (const body of BASES) {
      expect(outcome(parseConnectorRequest, body)).toEqual(outcome(parseConnectorRequestWithZod, body));
      expect(outcome(parseConnectorRequest, body)).toHaveProperty('request');
    }
  });

  it('read edge values of every field alike', () => {
    fc.assert(
      fc.property(edgeBodies, (body) => {
        expect(outcome(parseConnectorRequest, body)).toEqual(outcome(parseConnectorRequestWithZod, body));
      }),
      { numRuns: 600 },
    );
  });

  it('read hostile bodies alike', () => {
    fc.assert(
      fc.property(hostileBodies(BASES), (body) => {
        expect(outcome(parseConnectorRequest, body)).toEqual(outcome(parseConnectorRequestWithZod, body));
      }),
      { numRuns: 300 },
    );
  });
});
