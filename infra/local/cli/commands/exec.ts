import { CALL_ID_FLAG, callIdFlag, FROM_FLAG, stringFlag, UNEXPECTED_ARGUMENT, UsageError, type CliCommand } from '../command.js';
import { callTool, fetchSwml, findTool } from '../calls.js';
import { simulatedCall } from '../signalwire-payloads.js';
import { isObject, type Json } from '../swml-reader.js';

function parseToolArgs(text: string | undefined): Json {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON.parse's message: it quotes the text around the error (it may be an SSN to test with).
    throw new UsageError('--args is not valid JSON');
  }
  if (!isObject(parsed)) throw new UsageError('--args must be a JSON object, e.g. \'{"response":"yes"}\'');
  return parsed;
}

export const execCommand: CliCommand = {
  name: 'exec',
  usage: "exec <tool> [--args '<json>'] [--call-id ID] [--from +1...]",
  summary: 'run one tool through the real SWAIG handler as SignalWire would; prints the SWAIG response',
  flags: [{ name: 'args', value: true, description: 'tool arguments as a JSON object (default {})' }, CALL_ID_FLAG, FROM_FLAG],
  async run(args, context) {
    const [toolName, extra] = args.positionals;
    if (!toolName) throw new UsageError('exec needs a tool name (see `recording-agent tools`)');
    if (extra !== undefined) throw new UsageError(UNEXPECTED_ARGUMENT);
    const toolArgs = parseToolArgs(stringFlag(args, 'args'));
    const callId = callIdFlag(args);
    const from = stringFlag(args, 'from');
    const call = simulatedCall({ ...(callId ? { callId } : {}), ...(from ? { from } : {}) });
    const { client } = await context.session();
    // The SWML for this call is where SignalWire learns each tool's URL (and a secure tool's token).
    const document = await fetchSwml(client, call);
    findTool(document, toolName);
    context.err(`call_id ${call.callId}`);
    const reply = await callTool(client, document, call, toolName, toolArgs);
    context.out(reply.body !== undefined && typeof reply.body !== 'string' ? JSON.stringify(reply.body, null, 2) : reply.text);
    if (!reply.ok) context.err(`the agent answered HTTP ${reply.status}`);
    return reply.ok ? 0 : 1;
  },
};
