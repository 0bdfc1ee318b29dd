import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from './cli/commands/index.js';
import { parseArgs, shown, UsageError, type CliCommand, type CliContext } from './cli/command.js';
import { AgentError } from './cli/calls.js';
import { openSession, type AgentSession } from './cli/session.js';

/**
 * `recording-agent` (bin/recording-agent.mjs launches this): drives the local agent the way
 * SignalWire would. stdout carries only the command's result (pure JSON for `exec` and
 * `swml`); everything the handlers log goes to stderr.
 */

/** Where one run's output goes: the real streams when launched by the bin, buffers in tests. */
export interface CliIo {
  /** One piece of the command's result (stdout); settles once it is written. */
  out(text: string): Promise<void> | void;
  /** One diagnostic (stderr). */
  err(text: string): void;
  /** Where LOCAL_DATA_DIR is read (process.env by default). */
  env?: NodeJS.ProcessEnv;
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

/** Runs one command line (without `recording-agent`) and returns its exit code; the bin's entry, and the tests'. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    io.err(help());
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    await io.out(help());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`unknown command ${shown(name)}\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    await io.out(commandHelp(command));
    return 0;
  }
  let session: AgentSession | undefined;
  let opening: Promise<AgentSession> | undefined;
  const pending: Array<Promise<void> | void> = [];
  const context: CliContext = {
    out: (text) => void pending.push(io.out(text)),
    err: (text) => io.err(text),
    session: () => {
      opening ??= openSession(io.env).then((s) => (session = s));
      return opening;
    },
  };
  // Ctrl-C mid-command: still stop an embedded stack (and remove its temp folder) before leaving.
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    io.err('interrupted');
    void (opening ?? Promise.resolve(undefined)).then((opened) => opened?.close()).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    const args = parseArgs(rest, command.flags);
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`recording-agent ${command.name}: ${error.message}`);
      return 2;
    }
    if (error instanceof AgentError) {
      io.err(`recording-agent ${command.name}: the agent refused ${error.message}`);
      return 1;
    }
    io.err(`recording-agent ${command.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await Promise.all(pending);
    if (session) await session.close();
  }
}

/** True when Node was started on this file (by the bin), not when a test imports it. */
function launchedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (launchedDirectly()) {
  // Powertools writes log and metric lines to process.stdout: while the CLI runs, that is
  // stderr, and the command's own output goes through the saved real stdout.
  const realStdout = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  runCli(process.argv.slice(2), {
    out: (text) => new Promise<void>((resolve) => realStdout(`${text}\n`, () => resolve())),
    err: (text) => void process.stderr.write(`${text}\n`),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`recording-agent: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
