import { describe, expect, it } from 'vitest';
import { agentTools } from '#shared/agent/tools.js';
import { toolArgumentsJsonSchema } from '#shared/swaig/json-schema.js';
import { parametersSchema } from '#shared/swaig/tool.js';
import * as z from '#shared/validation/zod.js';

/** What parametersSchema rendered with zod's own toJSONSchema (before the bundle-size change). */
const KEYWORDS = new Set(['type', 'description', 'enum', 'default', 'pattern', 'format', 'nullable', 'items']);
function viaZod(schema: z.ZodMiniObject): unknown {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json.properties ?? {})) {
    properties[key] = Object.fromEntries(Object.entries(value).filter(([k]) => KEYWORDS.has(k)));
  }
  return json.required && json.required.length > 0
    ? { type: 'object', properties, required: json.required }
    : { type: 'object', properties };
}

describe('tool parameter JSON Schema (own renderer vs z.toJSONSchema)', () => {
  it.each(agentTools.map((tool) => [tool.name, tool] as const))('renders %s byte for byte as zod does', (_name, tool) => {
    // Compare serialized: key order is part of the SWML document's bytes.
    expect(JSON.stringify(parametersSchema(tool.args))).toBe(JSON.stringify(viaZod(tool.args)));
  });

  it.each([
    ['an optional enum with a description', z.object({ a: z.optional(z.enum(['x', 'y'])).check(z.describe('pick one')) })],
    ['a regex string without a description', z.object({ a: z.string().check(z.regex(/^\d+$/), z.minLength(1)) })],
    ['an optional plain string', z.object({ a: z.optional(z.string()) })],
    [
      'a described string inside a described optional',
      z.object({ a: z.optional(z.string().check(z.describe('inner'))).check(z.describe('outer')) }),
    ],
    ['an enum described inside an optional', z.object({ a: z.optional(z.enum(['x']).check(z.describe('inner only'))) })],
    ['several fields, mixed', z.object({ b: z.string(), a: z.optional(z.string().check(z.maxLength(3))), c: z.enum(['k']) })],
  ])('matches zod for %s', (_label, schema) => {
    expect(JSON.stringify(parametersSchema(schema))).toBe(JSON.stringify(viaZod(schema)));
  });

  it.each([
    ['a number', z.object({ n: z.number() })],
    ['a boolean', z.object({ b: z.boolean() })],
    ['an array', z.object({ l: z.array(z.string()) })],
    ['a default', z.object({ d: z._default(z.string(), 'x') })],
    ['a string format', z.object({ e: z.string().check(z.email()) })],
    ['a trimmed string', z.object({ t: z.string().check(z.trim()) })],
  ])('refuses %s instead of rendering it wrongly', (_label, schema) => {
    expect(() => toolArgumentsJsonSchema(schema)).toThrow(/not supported by toolArgumentsJsonSchema/);
  });
});
