import { COMMANDS } from './cli/commands/index.js';
import { parseArgs, UsageError, type CliCommand, type CliContext } from './cli/command.js';
import { AgentError } from './cli/calls.js';
import { openSession, type AgentSession } from './cli/session.js';

/**
 * `recording-agent` (bin/recording-agent.mjs launches this): drives the local agent the way
 * SignalWire would. stdout carries only the command's result (pure JSON for `exec` and
 * `swml`); everything the handlers log goes to stderr.
 */

// Powertools writes log and metric lines to process.stdout: while the CLI runs, that is
// stderr, and the command's own output goes through the saved real stdout.
const realStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => realStdout(`${text}\n`, () => resolve()));
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    'usage: recording-agent <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Uses the stack `npm start` runs (endpoints.json in LOCAL_DATA_DIR or .local/) when it is up,',
    'else starts embedded emulators for the duration of the command.',
  ].join('\n');
}

function commandHelp(command: CliCommand): string {
  return [
    `usage: recording-agent ${command.usage}`,
    `  ${command.summary}`,
    ...command.flags.map((f) => `  --${f.name}${f.value ? ' <value>' : ''}  ${f.description}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    process.stderr.write(`${help()}\n`);
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    await writeOut(help());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`unknown command '${name}'\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    await writeOut(commandHelp(command));
    return 0;
  }
  let session: AgentSession | undefined;
  let opening: Promise<AgentSession> | undefined;
  const pending: Array<Promise<void>> = [];
  const context: CliContext = {
    out: (text) => void pending.push(writeOut(text)),
    err: (text) => void process.stderr.write(`${text}\n`),
    session: () => {
      opening ??= openSession().then((s) => (session = s));
      return opening;
    },
  };
  // Ctrl-C mid-command: still stop an embedded stack (and remove its temp folder) before leaving.
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write('interrupted\n');
    void (opening ?? Promise.resolve(undefined)).then((opened) => opened?.close()).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    const args = parseArgs(rest, command.flags);
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`recording-agent ${command.name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof AgentError) {
      process.stderr.write(`recording-agent ${command.name}: the agent refused ${error.message}\n`);
      return 1;
    }
    process.stderr.write(
      `recording-agent ${command.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  } finally {
    await Promise.all(pending);
    if (session) await session.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`recording-agent: ${String(error)}\n`);
    process.exit(1);
  },
);
