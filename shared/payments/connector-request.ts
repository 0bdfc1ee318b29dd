import type { CardDetails } from './card.js';

/**
 * SignalWire's pay-connector request (docs/protocol.md §4), parsed defensively: field types vary
 * (numbers as strings and back), `chargeAmount` is camelCase while everything else is
 * snake_case, tokenization sends `amount: 0`, currency case varies, years come as 2 or 4
 * digits. Errors name fields, never values: the body carries the full card number and CVV.
 *
 * Written out by hand, the one parser of outside input that is not a zod schema: it runs on the
 * first request of a fresh payment connector, where building and first running the zod/mini
 * schema (some 70 schema objects) cost 4–6 ms of the ≤ bare + 35 ms budget (issue #10; `npm run
 * bench` starts the connector both ways, "Where a house library yielded"). The zod schema it
 * replaced is kept as the reference (test/support/connector-request-zod.ts): a property test
 * checks that both read every body alike.
 */
export type ConnectorRequest =
  | ({ kind: 'charge'; amount: string } & ConnectorRequestCommon)
  | ({ kind: 'tokenize' } & ConnectorRequestCommon);

interface ConnectorRequestCommon {
  transactionId?: string;
  card: CardDetails;
  /** ISO 4217, lower case. */
  currency: string;
  tokenType?: string;
  description?: string;
  parameters: Record<string, string>;
}

/** Why a request was refused: field names only, so it is safe to log and to answer with. */
export class ConnectorRequestError extends Error {
  override name = 'ConnectorRequestError';
  constructor(
    readonly missing: readonly string[],
    readonly invalid: readonly string[],
  ) {
    const parts = [
      missing.length ? `missing fields: ${missing.join(', ')}` : '',
      invalid.length ? `invalid fields: ${invalid.join(', ')}` : '',
    ].filter(Boolean);
    super(parts.join('; ') || 'invalid payment request');
  }
}

/** What a field reader answers for a value it refuses. */
const INVALID: unique symbol = Symbol('invalid');
type Read<T> = (value: unknown) => T | typeof INVALID;

/** JSON numbers are finite; a body built in code may still hold NaN or Infinity, which no field takes. */
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isNonNegativeInt = (v: unknown): v is number => isSafeInt(v) && v >= 0;

/** `s` when it matches `pattern`, else INVALID. */
const matching = (s: string, pattern: RegExp): string | typeof INVALID => (pattern.test(s) ? s : INVALID);
const upTo = (max: number) => (s: string) => (s.length <= max ? s : INVALID);
const inRange = (n: number, min: number, max: number) => (isSafeInt(n) && n >= min && n <= max ? n : INVALID);

const cardNumber: Read<string> = (v) =>
  typeof v === 'string' || isNonNegativeInt(v) ? matching(String(v).replace(/[\s-]/g, ''), /^\d{12,19}$/) : INVALID;

// A numeric CVV lost its leading zero in JSON; three digits is the common length.
const cvv: Read<string> = (v) => {
  if (isNonNegativeInt(v)) return matching(String(v).padStart(3, '0'), /^\d{3,4}$/);
  return typeof v === 'string' ? matching(v.trim(), /^\d{3,4}$/) : INVALID;
};

const month: Read<number> = (v) => {
  if (typeof v === 'string') return /^\d{1,2}$/.test(v.trim()) ? inRange(Number(v.trim()), 1, 12) : INVALID;
  return isSafeInt(v) ? inRange(v, 1, 12) : INVALID;
};

// "30", 30, "2030" and 2030 all mean 2030; "05" and 5 mean 2005.
const year: Read<number> = (v) => {
  let n: number;
  if (typeof v === 'string' && /^(\d{2}|\d{4})$/.test(v.trim())) n = Number(v.trim());
  else if (isNonNegativeInt(v)) n = v;
  else return INVALID;
  return inRange(n < 100 ? 2000 + n : n, 2000, 2199);
};

const AMOUNT = /^\d{1,9}(\.\d{1,3})?$/;
const amount: Read<string> = (v) => {
  if (isNumber(v)) return matching(String(v), AMOUNT);
  return typeof v === 'string' ? matching(v.trim(), AMOUNT) : INVALID;
};

const currency: Read<string> = (v) =>
  typeof v === 'string' && /^[A-Za-z]{3}$/.test(v.trim()) ? v.trim().toLowerCase() : INVALID;

/** A string or a number, as a string (`normalize`d) of at most `max` characters. */
const stringOrNumber =
  (max: number, normalize: (s: string) => string = (s) => s): Read<string> =>
  (v) =>
    typeof v === 'string' || isNumber(v) ? upTo(max)(normalize(String(v))) : INVALID;

/** A string, trimmed and lower-cased, then `accept`ed. */
const lowerCase =
  (accept: (s: string) => string | typeof INVALID): Read<string> =>
  (v) =>
    typeof v === 'string' ? accept(v.trim().toLowerCase()) : INVALID;

const scalar = (v: unknown): string | typeof INVALID =>
  typeof v === 'string' || typeof v === 'boolean' || isNumber(v) ? String(v) : INVALID;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

// The pay verb's parameters are [{name, value}]; the connector has been seen to send {name: value}.
const parameters: Read<Record<string, string>> = (v) => {
  const entries: [string, string][] = [];
  if (Array.isArray(v)) {
    for (const item of v as unknown[]) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return INVALID;
      const { name, value } = item as { name?: unknown; value?: unknown };
      const text = scalar(value);
      if (typeof name !== 'string' || text === INVALID) return INVALID;
      entries.push([name, text]);
    }
  } else if (isRecord(v)) {
    for (const name of Object.keys(v)) {
      // A JSON key "__proto__" names no parameter a processor expects; skipped, never assigned.
      if (name === '__proto__') continue;
      const text = scalar(v[name]);
      if (text === INVALID) return INVALID;
      entries.push([name, text]);
    }
  } else return INVALID;
  return Object.fromEntries(entries);
};

/** SignalWire may send "" or null for what it did not collect (no CVV, no postal code). */
const blank = (v: unknown): unknown => (v === '' || v === null ? undefined : v);

/** Every field, in the order its errors are named: required ones must be there, the rest may be blank. */
const FIELDS = {
  transaction_id: { read: stringOrNumber(200) },
  method: { read: lowerCase((s) => (s === 'credit-card' ? s : INVALID)) },
  cardnumber: { read: cardNumber, required: true },
  cvv: { read: cvv },
  expiry_month: { read: month, required: true },
  expiry_year: { read: year, required: true },
  postal_code: { read: stringOrNumber(20, (s) => s.trim()) },
  chargeAmount: { read: amount },
  amount: { read: amount },
  currency_code: { read: currency },
  token_type: { read: lowerCase(upTo(40)) },
  description: { read: (v: unknown) => (typeof v === 'string' ? upTo(1000)(v) : INVALID) },
  parameters: { read: parameters },
} satisfies Record<string, { read: Read<unknown>; required?: true }>;

type Fields = typeof FIELDS;
/** The fields marked `required` above. */
type RequiredField = { [K in keyof Fields]: Fields[K] extends { required: true } ? K : never }[keyof Fields];
type FieldValue<K extends keyof Fields> = Exclude<ReturnType<Fields[K]['read']>, typeof INVALID>;
/** The body's fields, each read and normalized; the required ones present. */
export type ConnectorFields = { [K in RequiredField]: FieldValue<K> } & {
  [K in Exclude<keyof Fields, RequiredField>]?: FieldValue<K>;
};

function readFields(body: Record<string, unknown>): ConnectorFields {
  const missing: string[] = [];
  const invalid: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(FIELDS) as [keyof Fields, { read: Read<unknown>; required?: true }][]) {
    const value = blank(body[field]);
    if (value === undefined) {
      if (spec.required) missing.push(field);
      continue;
    }
    const read = spec.read(value);
    if (read === INVALID) invalid.push(field);
    else fields[field] = read;
  }
  if (missing.length || invalid.length) throw new ConnectorRequestError(missing, invalid);
  return fields as ConnectorFields;
}

/**
 * Turns SignalWire's connector body into a typed request, or throws
 * {@link ConnectorRequestError} naming the offending fields.
 */
export function parseConnectorRequest(body: unknown): ConnectorRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConnectorRequestError([], ['body']);
  return connectorRequestOf(readFields(body as Record<string, unknown>));
}

/**
 * The request the fields make. Charge vs tokenization: a positive `chargeAmount` (or `amount`)
 * charges; an amount of zero, or no amount at all with `token_type: "reusable"`, tokenizes.
 */
export function connectorRequestOf(r: ConnectorFields): ConnectorRequest {
  const common: ConnectorRequestCommon = {
    card: {
      number: r.cardnumber,
      expiryMonth: r.expiry_month,
      expiryYear: r.expiry_year,
      ...(r.cvv === undefined ? {} : { cvv: r.cvv }),
      ...(r.postal_code === undefined ? {} : { postalCode: r.postal_code }),
    },
    // The pay verb defaults to usd; SignalWire normally sends it anyway.
    currency: r.currency_code ?? 'usd',
    parameters: r.parameters ?? {},
    ...(r.transaction_id === undefined ? {} : { transactionId: r.transaction_id }),
    ...(r.token_type === undefined ? {} : { tokenType: r.token_type }),
    ...(r.description === undefined ? {} : { description: r.description }),
  };

  const amount = r.chargeAmount ?? r.amount;
  if (amount === undefined) {
    if (r.token_type === 'reusable') return { kind: 'tokenize', ...common };
    throw new ConnectorRequestError(['chargeAmount'], []);
  }
  if (Number(amount) === 0) return { kind: 'tokenize', ...common };
  return { kind: 'charge', amount, ...common };
}
