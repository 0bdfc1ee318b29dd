import { callIdFlag, noPositionals, UsageError, type CliCommand } from '../command.js';
import { printable, readTranscripts } from '../transcripts.js';

export const transcriptCommand: CliCommand = {
  name: 'transcript',
  usage: 'transcript --call-id ID [--json]',
  summary: "print a call's redacted transcripts by speaker",
  flags: [
    { name: 'call-id', value: true, description: 'SignalWire call id' },
    { name: 'json', value: false, description: 'print the stored transcript documents as JSON' },
  ],
  async run(args, context) {
    noPositionals(args);
    const callId = callIdFlag(args);
    if (!callId) throw new UsageError('transcript needs --call-id');
    const session = await context.session();
    const transcripts = await readTranscripts(session.endpoints, callId);
    if (transcripts.length === 0) {
      context.err('no transcript for this call (none stored yet, TRANSCRIPTION=off, or erased)');
      return 1;
    }
    context.out(args.flags.has('json') ? JSON.stringify(transcripts, null, 2) : printable(transcripts));
    return 0;
  },
};
