import * as z from '#shared/validation/zod.js';
import { ConnectorRequestError, connectorRequestOf, type ConnectorRequest } from '#shared/payments/connector-request.js';

/**
 * The zod/mini schema shared/payments/connector-request.ts was until its hand-written reader
 * replaced it (issue #10: building and first running these ~70 schema objects cost the payment
 * connector's first request about 5 ms). Kept as the reference: test/unit/connector-request-zod.test.ts
 * checks that both read every body alike, and `npm run bench` starts the connector with this
 * schema in its place to show what it would cost.
 */
/** SignalWire may send "" or null for what it did not collect (no CVV, no postal code). */
const blank = (v: unknown): unknown => (v === '' || v === null ? undefined : v);
const stringOrNumber = z.union([z.string(), z.number()]);
const int = () => z.number().check(z.int());
const nonNegativeInt = () => z.number().check(z.int(), z.nonnegative());

// Each field below is classic zod's `input.transform(f).pipe(output)`: parse loosely, normalize, validate.
const CardNumber = z.pipe(
  z.pipe(
    z.union([z.string(), nonNegativeInt().check(z.refine(Number.isSafeInteger))]),
    z.transform((v) => String(v).replace(/[\s-]/g, '')),
  ),
  z.string().check(z.regex(/^\d{12,19}$/)),
);

// A numeric CVV lost its leading zero in JSON; three digits is the common length.
const Cvv = z.pipe(
  z.pipe(
    z.union([z.string(), nonNegativeInt()]),
    z.transform((v) => (typeof v === 'number' ? String(v).padStart(3, '0') : v.trim())),
  ),
  z.string().check(z.regex(/^\d{3,4}$/)),
);

const Month = z.pipe(
  z.pipe(z.union([z.string().check(z.trim(), z.regex(/^\d{1,2}$/)), int()]), z.transform(Number)),
  int().check(z.gte(1), z.lte(12)),
);

// "30", 30, "2030" and 2030 all mean 2030; "05" and 5 mean 2005.
const Year = z.pipe(
  z.pipe(
    z.union([z.string().check(z.trim(), z.regex(/^(\d{2}|\d{4})$/)), nonNegativeInt()]),
    z.transform((v) => {
      const n = Number(v);
      return n < 100 ? 2000 + n : n;
    }),
  ),
  int().check(z.gte(2000), z.lte(2199)),
);

const MAX_AMOUNT = /^\d{1,9}(\.\d{1,3})?$/;
const Amount = z.pipe(
  z.pipe(
    stringOrNumber,
    z.transform((v) => (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v.trim())),
  ),
  z.string().check(z.regex(MAX_AMOUNT)),
);

const Currency = z.pipe(
  z.string().check(z.trim(), z.regex(/^[A-Za-z]{3}$/)),
  z.transform((c) => c.toLowerCase()),
);

const Scalar = z.pipe(z.union([z.string(), z.number(), z.boolean()]), z.transform(String));
// The pay verb's parameters are [{name, value}]; the connector has been seen to send {name: value}.
const Parameters = z.union([
  z.record(z.string(), Scalar),
  z.pipe(
    z.array(z.object({ name: z.string(), value: Scalar })),
    z.transform((list) => Object.fromEntries(list.map((p) => [p.name, p.value]))),
  ),
]);

/** Classic zod's `z.preprocess(blank, schema)`: "" and null count as absent. */
const opt = <T extends z.ZodMiniType>(schema: T) => z.pipe(z.transform(blank), z.optional(schema));
const req = <T extends z.ZodMiniType>(schema: T) => z.pipe(z.transform(blank), schema);
const trimmedLower = () => z.string().check(z.trim(), z.toLowerCase());

const RequestSchema = z.object({
  transaction_id: opt(z.pipe(z.pipe(stringOrNumber, z.transform(String)), z.string().check(z.maxLength(200)))),
  method: opt(z.pipe(trimmedLower(), z.literal('credit-card'))),
  cardnumber: req(CardNumber),
  cvv: opt(Cvv),
  expiry_month: req(Month),
  expiry_year: req(Year),
  postal_code: opt(
    z.pipe(
      z.pipe(
        stringOrNumber,
        z.transform((v) => String(v).trim()),
      ),
      z.string().check(z.maxLength(20)),
    ),
  ),
  chargeAmount: opt(Amount),
  amount: opt(Amount),
  // The pay verb defaults to usd; SignalWire normally sends it anyway.
  currency_code: z.pipe(
    opt(Currency),
    z.transform((c) => c ?? 'usd'),
  ),
  token_type: opt(z.pipe(trimmedLower(), z.string().check(z.maxLength(40)))),
  description: opt(z.string().check(z.maxLength(1000))),
  parameters: z.pipe(
    opt(Parameters),
    z.transform((p) => p ?? {}),
  ),
});

function fieldErrors(body: Record<string, unknown>, error: z.core.$ZodError): ConnectorRequestError {
  const missing = new Set<string>();
  const invalid = new Set<string>();
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'body');
    if (blank(body[field]) === undefined) missing.add(field);
    else invalid.add(field);
  }
  return new ConnectorRequestError([...missing], [...invalid]);
}

/** `parseConnectorRequest` as it was: this schema, then the same request building. */
export function parseConnectorRequestWithZod(body: unknown): ConnectorRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConnectorRequestError([], ['body']);
  const record = body as Record<string, unknown>;
  const result = RequestSchema.safeParse(record);
  if (!result.success) throw fieldErrors(record, result.error);
  return connectorRequestOf(result.data);
}
