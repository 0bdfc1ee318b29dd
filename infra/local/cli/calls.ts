import type { AgentClient, AgentReply } from './agent-client.js';
import { shown, UsageError } from './command.js';
import { swaigRequestBody, swmlRequestBody, type SimulatedCall } from './signalwire-payloads.js';
import { offeredTools, type Json, type OfferedFunction } from './swml-reader.js';

/** An agent answer that is not 2xx: the CLI reports it and exits 1. */
export class AgentError extends Error {
  override name = 'AgentError';
  constructor(
    readonly step: string,
    readonly reply: AgentReply,
  ) {
    super(`${step}: HTTP ${reply.status} ${reply.text.slice(0, 500)}`);
  }
}

/** The SWML document SignalWire would get for this call (POST, body as in docs/protocol.md §1). */
export async function fetchSwml(client: AgentClient, call: SimulatedCall): Promise<unknown> {
  const reply = await client.post(client.url('/swml'), swmlRequestBody(call));
  if (!reply.ok) throw new AgentError('POST /swml', reply);
  return reply.body;
}

export function findTool(document: unknown, name: string): { tool: OfferedFunction; url: string } {
  const offered = offeredTools(document);
  const tool = offered.functions.find((f) => f.function === name);
  if (!tool) {
    const names = offered.functions.map((f) => f.function).join(', ');
    throw new UsageError(`unknown tool ${shown(name)} (available: ${names || 'none'})`);
  }
  // A secure tool has its own URL carrying the per-call token; the rest post to the default.
  const url = tool.webHookUrl ?? offered.defaultUrl;
  if (!url) throw new UsageError(`the SWML document gives no web_hook_url for '${name}'`);
  return { tool, url };
}

/** Runs one tool exactly as SignalWire would: to the URL the SWML named, with its token if any. */
export async function callTool(
  client: AgentClient,
  document: unknown,
  call: SimulatedCall,
  name: string,
  args: Json,
  globalData: Json = {},
): Promise<AgentReply> {
  const { tool, url } = findTool(document, name);
  return client.post(
    url,
    swaigRequestBody(call, { functionName: name, args, parameters: tool.parameters, description: tool.description, globalData }),
  );
}
