import type * as z from '#shared/validation/zod.js';
import { badRequest, forbidden, notFound } from '#shared/http/errors.js';
import { logger } from '#shared/observability/logger.js';
import { zodIssuesMessage } from '#shared/validation/zod-message.js';
import type { FunctionResult, SwaigResponse } from './function-result.js';
import { parseSwaigRequest, type SwaigToolCall } from './request.js';
import { verifyToolToken } from '#shared/security/tool-token.js';
import { parametersSchema, type ToolDefinition } from './tool.js';

export interface DispatchOptions<Deps> {
  tools: ReadonlyArray<ToolDefinition<z.ZodMiniObject, Deps>>;
  deps: Deps;
  tokenSecret: string;
  /** The `__token` query parameter of the request, if any. */
  token?: string;
  /** Runs on every tool result before it leaves (the consent gate and audit live here). */
  finalize?: (
    result: FunctionResult,
    tool: ToolDefinition<z.ZodMiniObject, Deps>,
    call: SwaigToolCall,
  ) => Promise<FunctionResult>;
  /** What to answer when a tool fails (storage fault, erased call): must be a safe, fail-closed result. */
  onToolFailure: (tool: ToolDefinition<z.ZodMiniObject, Deps>, call: SwaigToolCall, error: unknown) => FunctionResult;
}

export type SignatureResponse = Array<{ function: string; description: string; parameters: unknown }>;

/**
 * Parse a SWAIG request, authorize secure tools by their per-call token, validate arguments
 * against the tool's own schema, run it, and let `finalize` vet the result. Arguments are
 * never logged: only their names.
 */
export async function dispatchSwaig<Deps>(
  body: unknown,
  options: DispatchOptions<Deps>,
): Promise<SwaigResponse | SignatureResponse> {
  const request = parseSwaigRequest(body);
  // A dozen tools: a scan costs less than building a Map on every request.
  const byName = (name: string) => options.tools.find((tool) => tool.name === name);
  if (request.kind === 'signature') {
    const wanted = request.functions ?? options.tools.map((t) => t.name);
    return wanted.flatMap((name) => {
      const tool = byName(name);
      return tool ? [{ function: tool.name, description: tool.description, parameters: parametersSchema(tool.args) }] : [];
    });
  }
  const tool = byName(request.functionName);
  // The name is not echoed: an unknown one is caller-controlled text (it may carry personal data).
  if (!tool) throw notFound('unknown_function', "unknown SWAIG function: not one of this agent's tools");
  if (tool.secure) {
    const verdict = verifyToolToken(options.tokenSecret, options.token, request.callId, tool.name);
    if (verdict !== 'valid')
      throw forbidden('invalid_token', `secure function requires a valid token for this call (${verdict})`);
  }
  const args = tool.args.safeParse(request.args);
  if (!args.success) {
    const problems = zodIssuesMessage(args.error, { root: 'arguments' });
    throw badRequest('invalid_arguments', `arguments for '${tool.name}' are invalid: ${problems}`);
  }
  logger.info('SWAIG function called', { function: tool.name, secure: tool.secure, argNames: Object.keys(args.data) });
  let result: FunctionResult;
  try {
    result = await tool.run(args.data, { callId: request.callId }, options.deps);
  } catch (error) {
    logger.error('SWAIG function failed; answering fail-closed', { function: tool.name, error });
    result = options.onToolFailure(tool, request, error);
  }
  if (options.finalize) result = await options.finalize(result, tool, request);
  return result.toDict();
}
