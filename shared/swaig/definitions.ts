import type * as z from '#shared/validation/zod.js';
import type { SwaigFunctionDefinition } from '#shared/swml/ai.js';
import { mintToolToken } from '#shared/security/tool-token.js';
import { parametersSchema, type ToolSpec } from './tool.js';

export interface DefinitionOptions {
  /** The SWAIG URL with credentials (every tool posts there). */
  swaigUrl: string;
  /** Secure tools get a token bound to this call; without a call id they are left out. */
  callId?: string;
  tokenSecret: string;
  tokenTtlSeconds: number;
}

/**
 * The `SWAIG.functions` entries for a set of tools. A secure tool carries its own
 * `web_hook_url` with a per-call `__token` (the Python SDK's scheme); the rest use the defaults.
 */
export function functionDefinitions(
  tools: ReadonlyArray<ToolSpec<z.ZodMiniObject>>,
  options: DefinitionOptions,
): SwaigFunctionDefinition[] {
  const definitions: SwaigFunctionDefinition[] = [];
  for (const tool of tools) {
    const definition: SwaigFunctionDefinition = {
      function: tool.name,
      description: tool.description,
      parameters: parametersSchema(tool.args),
    };
    if (tool.secure) {
      // A token must name the call it protects: with no call id (a bare GET) the tool is withheld.
      if (!options.callId) continue;
      const token = mintToolToken(options.tokenSecret, options.callId, tool.name, options.tokenTtlSeconds);
      const url = new URL(options.swaigUrl);
      url.searchParams.set('__token', token);
      definition.web_hook_url = url.toString();
    }
    definitions.push(definition);
  }
  return definitions;
}
