import type * as z from '#shared/validation/zod.js';
import type { FunctionResult } from './function-result.js';
import { toolArgumentsJsonSchema } from './json-schema.js';

/**
 * What a tool handler may use besides its arguments. Deliberately not the request's caller
 * fields or global data: anyone who can post a SWAIG request can write those.
 */
export interface ToolContext {
  callId: string;
}

/**
 * What a SWAIG tool is, as the LLM sees it. Arguments are a zod schema: the same definition
 * validates incoming arguments and renders the JSON Schema SignalWire shows the LLM, so the two
 * cannot drift. The SWML document needs only this; the SWAIG function adds `run`.
 */
export interface ToolSpec<Schema extends z.ZodMiniObject = z.ZodMiniObject> {
  name: string;
  description: string;
  args: Schema;
  /**
   * Secure tools handle sensitive data: per-call token on their URL, arguments never logged or
   * stored, and recording is paused while they run.
   */
  secure: boolean;
}

/** A tool with its implementation. */
export interface ToolDefinition<Schema extends z.ZodMiniObject = z.ZodMiniObject, Deps = unknown> extends ToolSpec<Schema> {
  run(args: z.infer<Schema>, context: ToolContext, deps: Deps): Promise<FunctionResult>;
}

export function defineToolSpec<Schema extends z.ZodMiniObject>(spec: ToolSpec<Schema>): ToolSpec<Schema> {
  return spec;
}

export function implementTool<Schema extends z.ZodMiniObject, Deps>(
  spec: ToolSpec<Schema>,
  run: ToolDefinition<Schema, Deps>['run'],
): ToolDefinition<Schema, Deps> {
  return { ...spec, run };
}

export interface JsonObjectSchema {
  type: 'object';
  properties: Record<string, unknown>;
  required?: string[];
}

const PROPERTY_KEYWORDS = new Set(['type', 'description', 'enum', 'default', 'pattern', 'format', 'nullable', 'items']);

const rendered = new WeakMap<z.ZodMiniObject, JsonObjectSchema>();

/**
 * The JSON Schema SignalWire expects for `parameters` (the Python SDK's plain draft-7 object
 * shape). Rendered once per schema: every SWML document repeats it.
 */
export function parametersSchema(schema: z.ZodMiniObject): JsonObjectSchema {
  let cached = rendered.get(schema);
  if (!cached) {
    cached = renderParameters(schema);
    rendered.set(schema, cached);
  }
  return cached;
}

function renderParameters(schema: z.ZodMiniObject): JsonObjectSchema {
  const json = toolArgumentsJsonSchema(schema);
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json.properties)) {
    // SignalWire's schema allows only these keywords on a property; length and range limits
    // are still enforced server-side by the zod schema itself.
    properties[key] = Object.fromEntries(Object.entries(value).filter(([k]) => PROPERTY_KEYWORDS.has(k)));
  }
  return json.required.length > 0 ? { type: 'object', properties, required: json.required } : { type: 'object', properties };
}
