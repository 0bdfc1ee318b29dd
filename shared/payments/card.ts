/**
 * What may be said about a card outside the gateway call: its brand and last four digits.
 * Everything else (full number, CVV, expiry) stays inside the request object.
 */
export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';

export interface CardDetails {
  /** Digits only, 12–19 of them. */
  number: string;
  /** 3–4 digits; absent when the pay verb did not collect a security code. */
  cvv?: string;
  /** 1–12. */
  expiryMonth: number;
  /** Four digits (two-digit input is normalized to 20YY). */
  expiryYear: number;
  postalCode?: string;
}

/** Brand by IIN range: enough for logs and dashboards, not for routing money. */
export function cardBrand(number: string): CardBrand {
  if (/^4/.test(number)) return 'visa';
  if (/^3[47]/.test(number)) return 'amex';
  const six = Number(number.slice(0, 6));
  if (/^5[1-5]/.test(number) || (six >= 222100 && six <= 272099)) return 'mastercard';
  if (/^(6011|65|64[4-9])/.test(number)) return 'discover';
  return 'unknown';
}

/** The safe-to-log description of a card. */
export function cardSummary(card: Pick<CardDetails, 'number'>): { brand: CardBrand; last4: string } {
  return { brand: cardBrand(card.number), last4: card.number.slice(-4) };
}

/** A card is good through the last day of its expiry month (UTC). */
export function isExpired(card: Pick<CardDetails, 'expiryMonth' | 'expiryYear'>, now: Date): boolean {
  const firstOfNextMonth = Date.UTC(card.expiryYear, card.expiryMonth, 1);
  return now.getTime() >= firstOfNextMonth;
}
