import * as z from '#shared/validation/zod.js';

/**
 * The JSON Schema of a tool's arguments, for the small vocabulary SWAIG tools use: an object
 * of strings (with `regex` → `pattern`), string enums, and optional fields, each with an optional
 * description. Output is what `z.toJSONSchema(schema, { target: 'draft-7', io: 'input' })` gives
 * for these schemas after SignalWire's keyword filter, key order included (a unit test holds the
 * two equal for every agent tool).
 *
 * Why not `z.toJSONSchema` itself: it is ~20 KB of the SWML function's bundle (every zod type's
 * processor), a fifth of its size budget, to render a dozen flat objects. Anything outside the
 * vocabulary throws, so a new kind of argument fails loudly in the tests instead of rendering
 * a wrong schema; extend the vocabulary here (and its test) when a tool needs more.
 */
export function toolArgumentsJsonSchema(schema: z.ZodMiniObject): {
  properties: Record<string, Record<string, unknown>>;
  required: string[];
} {
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(schema._zod.def.shape)) {
    properties[key] = property(field, key);
    if (field._zod.def.type !== 'optional') required.push(key);
  }
  return { properties, required };
}

function description(schema: z.core.$ZodType): { description?: string } {
  const text = z.globalRegistry.get(schema)?.description;
  return text === undefined ? {} : { description: text };
}

function property(schema: z.core.$ZodType, key: string): Record<string, unknown> {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'optional': {
      // toJSONSchema puts the wrapper's own description first, then the inner schema's keywords;
      // when both are described, the wrapper's text wins.
      const own = description(schema);
      return { ...own, ...property(def.innerType, key), ...own };
    }
    case 'string':
      return { type: 'string', ...stringPattern(def.checks ?? [], key), ...description(schema) };
    case 'enum': {
      const values = Object.values(def.entries);
      if (!values.every((v) => typeof v === 'string')) throw unsupported(key, 'non-string enum');
      return { type: 'string', enum: values, ...description(schema) };
    }
    default:
      throw unsupported(key, def.type);
  }
}

/** Length checks have no place in SignalWire's keyword set; one `regex` becomes `pattern`. */
function stringPattern(checks: readonly z.core.$ZodCheck<never>[], key: string): { pattern?: string } {
  const patterns: string[] = [];
  for (const check of checks) {
    const def = check._zod.def as z.core.$ZodChecks['_zod']['def'] | { check: 'describe' | 'meta' };
    if (def.check === 'min_length' || def.check === 'max_length' || def.check === 'describe' || def.check === 'meta') continue;
    if (def.check === 'string_format' && def.format === 'regex' && def.pattern) patterns.push(def.pattern.source);
    else throw unsupported(key, `string check ${def.check}`);
  }
  if (patterns.length > 1) throw unsupported(key, 'more than one regex');
  return patterns.length === 1 ? { pattern: patterns[0] } : {};
}

function unsupported(key: string, what: string): Error {
  return new Error(`tool argument '${key}': ${what} is not supported by toolArgumentsJsonSchema (shared/swaig/json-schema.ts)`);
}
