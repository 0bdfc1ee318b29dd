import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cardBrand, cardSummary, isExpired } from '#shared/payments/card.js';
import { luhnValid } from '#shared/payments/luhn.js';

describe('luhnValid', () => {
  it.each([
    '79927398713',
    '4111111111111111',
    '4242424242424242',
    '5555555555554444',
    '2223003122003222',
    '378282246310005',
    '6011111111111117',
    '4000000000000002',
  ])('accepts %s', (n) => expect(luhnValid(n)).toBe(true));

  it.each([
    '79927398710',
    '4111111111111112',
    '4242424242424241',
    '1234567812345678',
    '',
    '4',
    '4111-1111-1111-1111',
    '41111111111111a1',
  ])('rejects %j', (n) => expect(luhnValid(n)).toBe(false));

  it('detects every single-digit change of a valid number', () => {
    // Luhn's guarantee: any one mistyped (or misheard) digit is caught.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (position, delta) => {
        const valid = '4242424242424242';
        const digit = (Number(valid[position]) + delta) % 10;
        const changed = valid.slice(0, position) + String(digit) + valid.slice(position + 1);
        expect(luhnValid(changed)).toBe(false);
      }),
    );
  });
});

describe('card helpers', () => {
  it.each([
    ['4111111111111111', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['378282246310005', 'amex'],
    ['6011111111111117', 'discover'],
    ['9999999999999995', 'unknown'],
  ])('brands %s as %s', (n, brand) => expect(cardBrand(n)).toBe(brand));

  it('summarizes a card as brand and last four only', () => {
    expect(cardSummary({ number: '4111111111111111' })).toEqual({ brand: 'visa', last4: '1111' });
  });

  it('treats a card as valid through the last day of its expiry month', () => {
    const card = { expiryMonth: 2, expiryYear: 2028 };
    expect(isExpired(card, new Date('2028-02-29T23:59:59Z'))).toBe(false);
    expect(isExpired(card, new Date('2028-03-01T00:00:00Z'))).toBe(true);
    expect(isExpired({ expiryMonth: 12, expiryYear: 2030 }, new Date('2030-12-31T12:00:00Z'))).toBe(false);
    expect(isExpired({ expiryMonth: 12, expiryYear: 2030 }, new Date('2031-01-01T00:00:00Z'))).toBe(true);
  });
});
