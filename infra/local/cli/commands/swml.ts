import { CALL_ID_FLAG, callIdFlag, FROM_FLAG, stringFlag, type CliCommand, noPositionals } from '../command.js';
import { AgentError, fetchSwml } from '../calls.js';
import { simulatedCall } from '../signalwire-payloads.js';

export const swmlCommand: CliCommand = {
  name: 'swml',
  usage: 'swml [--call-id ID] [--from +1...] [--get]',
  summary: 'print the SWML document SignalWire gets for a call',
  flags: [
    CALL_ID_FLAG,
    FROM_FLAG,
    { name: 'get', value: false, description: 'fetch with GET (no call facts, as a bare GET would)' },
  ],
  async run(args, context) {
    noPositionals(args);
    const callId = callIdFlag(args);
    const from = stringFlag(args, 'from');
    const call = simulatedCall({ ...(callId ? { callId } : {}), ...(from ? { from } : {}) });
    const { client } = await context.session();
    let document: unknown;
    if (args.flags.has('get')) {
      const reply = await client.get(client.url('/swml'));
      if (!reply.ok) throw new AgentError('GET /swml', reply);
      document = reply.body;
    } else {
      document = await fetchSwml(client, call);
      context.err(`call_id ${call.callId}`);
    }
    context.out(JSON.stringify(document, null, 2));
    return 0;
  },
};
