import fc from 'fast-check';
import { vi } from 'vitest';
import { isAppError } from '#shared/http/errors.js';

/**
 * Arbitraries for fuzzing the parsers of outside input: anything at all, JSON, text, raw bytes,
 * and (most productive) real SignalWire payloads with a few fields broken.
 */

/** Values chosen to break parsers: prototype keys, control and lone-surrogate characters, odd numbers, huge text. */
const NASTY: readonly unknown[] = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\u202e',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '../../etc/passwd',
  'finished',
  ' FINISHED ',
  'completed',
  'get_signature',
  'https://example.signalwire.com/api/v1/recordings/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/download',
  'http://localhost:1/x',
  'http://169.254.169.254/latest/meta-data/',
  'https://user:pass@example.com/x',
  'javascript:alert(1)',
  'https://',
  '1e400',
  '9'.repeat(400),
  '-1',
  '0',
  '00',
  'NaN',
  'Infinity',
  '4111111111111111',
  '+14155550100',
  '123-45-6789',
  'x'.repeat(3000),
  'é'.repeat(2000),
  -0,
  -1,
  0.5,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  true,
  false,
  null,
  [],
  [null],
  {},
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
];

/**
 * Any code point, lone surrogates included (`JSON.parse` can produce them). Cheaper than
 * fast-check's 'binary' unit, whose first use costs over a second under vitest.
 */
const codePoint = (): fc.Arbitrary<string> => fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c));

/** Anything JavaScript can hold, including what JSON cannot (Maps, BigInts, null prototypes, sparse arrays). */
const anything = (): fc.Arbitrary<unknown> =>
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
    stringUnit: codePoint(),
  });

/** Text from every plane, or any UTF-16 code units at all (a surrogate pair split the wrong way round too). */
export const anyText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: codePoint() }),
    fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((units) => String.fromCharCode(...units)),
  );

/** A value to plant somewhere in a payload. */
const plant = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(...NASTY),
    fc.jsonValue({ maxDepth: 2 }),
    fc.string(),
    anyText(),
    fc.double(),
    fc.integer(),
    anything(),
  );

/** Keys to add: prototype names, and fields the parsers (and the consent gate) look for. */
const KEYS = [
  '__proto__',
  'constructor',
  'params',
  'record',
  'call_id',
  'control_id',
  'state',
  'status',
  'url',
  'recording_url',
  'action',
  'function',
  'argument',
  'parsed',
  'raw',
  'recording_refused',
  'recording_mode',
  'amount',
  'chargeAmount',
  'callId',
  'caller',
];

type Path = ReadonlyArray<string | number>;

/** Every path into a JSON value, the root included. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...prefix, i]));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  }
  return out;
}

type Mutation = { op: 'set' | 'delete' | 'add'; path: Path; key: string; value: unknown };

/**
 * Own property even for `__proto__` (plain assignment would set the prototype instead). Reflect's
 * forms skip what a planted value does not allow (a typed array's index, a frozen object) instead
 * of throwing: the mutation is then a no-op, not a failure of the generator.
 */
function define(target: object, key: string | number, value: unknown): void {
  Reflect.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function applyMutation(root: unknown, m: Mutation): unknown {
  if (m.path.length === 0) {
    if (m.op === 'set') return m.value;
    if (m.op === 'delete') return undefined;
  }
  let node: unknown = root;
  const steps = m.op === 'add' ? m.path : m.path.slice(0, -1);
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return root;
    node = (node as Record<string | number, unknown>)[step];
  }
  if (node === null || typeof node !== 'object') return root;
  const last = m.path.at(-1);
  if (m.op === 'add') define(node, m.key, m.value);
  else if (last !== undefined && m.op === 'delete') Reflect.deleteProperty(node, last);
  else if (last !== undefined) define(node, last, m.value);
  return root;
}

/** A real payload with one to four fields replaced, deleted or added. */
function mutated(bases: ReadonlyArray<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc.constantFrom(...bases).chain((base) =>
    fc
      .array(
        fc.record({
          op: fc.constantFrom('set', 'set', 'delete', 'add') as fc.Arbitrary<Mutation['op']>,
          path: fc.constantFrom(...pathsOf(base)),
          key: fc.oneof(fc.constantFrom(...KEYS), fc.string()),
          value: plant(),
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((mutations) => mutations.reduce(applyMutation, structuredClone(base) as unknown)),
  );
}

/** Whatever a parser of outside input may be handed: anything, JSON, text, or a broken real payload. */
export function hostileBodies(bases: ReadonlyArray<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: anything() },
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.string() },
    { weight: 4, arbitrary: mutated(bases) },
  );
}

/** The body as bytes on the wire: JSON when it is JSON-able, else whatever `String()` makes of it. */
function wireText(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text;
  } catch {
    // BigInt and friends: not JSON, still a body someone could send
  }
  try {
    return String(value);
  } catch {
    return '';
  }
}

/** Raw request bodies: JSON of hostile values, that JSON with a character broken, or any text. */
export function rawBodies(bases: ReadonlyArray<Record<string, unknown>>): fc.Arbitrary<string> {
  const json = hostileBodies(bases).map(wireText);
  const broken = fc.tuple(json, fc.nat(), fc.nat({ max: 3 }), anyText()).map(([text, at, cut, insert]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    return `${text.slice(0, i)}${insert}${text.slice(i + cut)}`;
  });
  return fc.oneof({ weight: 4, arbitrary: json }, { weight: 1, arbitrary: broken }, { weight: 1, arbitrary: anyText() });
}

/**
 * Runs a parser on outside input: a parsed value is fine, and so is an `AppError` with a 4xx
 * status (the caller's fault, answered as such). Anything else thrown is rethrown: it would
 * become a 500, so fast-check reports the input as a counterexample.
 */
export function parsedOrClientError<T>(parse: () => T): { value: T } | { status: number } {
  try {
    return { value: parse() };
  } catch (error) {
    if (isAppError(error) && error.statusCode >= 400 && error.statusCode < 500) return { status: error.statusCode };
    throw error;
  }
}

/**
 * Drops what the code writes to stdout/stderr (thousands of log and metric lines about
 * rejected input) until the returned function is called. The lines are still written, so the
 * logger's serialization and redaction run on fuzzed data too; they are just not kept.
 */
export function dropOutput(): () => void {
  const spies = [process.stdout, process.stderr].map((stream) => vi.spyOn(stream, 'write').mockImplementation(() => true));
  return () => {
    for (const spy of spies) spy.mockRestore();
  };
}
