import { type CliCommand, noPositionals } from '../command.js';
import { AgentError, fetchSwml } from '../calls.js';
import { signatureRequestBody, simulatedCall } from '../signalwire-payloads.js';
import { isObject, offeredTools } from '../swml-reader.js';

interface ToolListing {
  function: string;
  description: string;
  parameters: unknown;
  secure: boolean;
}

function describeParameters(parameters: unknown): string[] {
  if (!isObject(parameters) || !isObject(parameters.properties)) return [];
  const required = new Set(Array.isArray(parameters.required) ? parameters.required : []);
  return Object.entries(parameters.properties).map(([name, schema]) => {
    const s = isObject(schema) ? schema : {};
    const type = Array.isArray(s.enum) ? s.enum.map(String).join('|') : typeof s.type === 'string' ? s.type : 'any';
    const description = typeof s.description === 'string' ? ` - ${s.description}` : '';
    return `    ${name} (${type}${required.has(name) ? ', required' : ''})${description}`;
  });
}

export const toolsCommand: CliCommand = {
  name: 'tools',
  usage: 'tools [--json]',
  summary: 'list the SWAIG tools with their parameters (as get_signature reports them)',
  flags: [{ name: 'json', value: false, description: 'print JSON instead of text' }],
  async run(args, context) {
    noPositionals(args);
    const { client } = await context.session();
    const call = simulatedCall();
    // Which tools are secure shows in the SWML: they carry their own tokenized URL.
    const offered = offeredTools(await fetchSwml(client, call));
    const secure = new Set(offered.functions.filter((f) => f.webHookUrl).map((f) => f.function));
    const reply = await client.post(client.url('/swaig'), signatureRequestBody(call));
    if (!reply.ok) throw new AgentError('get_signature', reply);
    const signatures = Array.isArray(reply.body) ? reply.body.filter(isObject) : [];
    const tools: ToolListing[] = signatures.map((s) => ({
      function: String(s.function),
      description: typeof s.description === 'string' ? s.description : '',
      parameters: s.parameters ?? s.argument,
      secure: secure.has(String(s.function)),
    }));
    if (args.flags.has('json')) {
      context.out(JSON.stringify(tools, null, 2));
      return 0;
    }
    const lines = tools.flatMap((t) => [
      `${t.function}${t.secure ? ' [secure]' : ''}: ${t.description}`,
      ...describeParameters(t.parameters),
    ]);
    context.out(lines.join('\n'));
    return 0;
  },
};
