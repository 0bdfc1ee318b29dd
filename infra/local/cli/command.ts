import { fileURLToPath } from 'node:url';
import { carriesPersonalData } from '#shared/validation/personal-data.js';
import type { AgentSession } from './session.js';

/** Wrong usage (unknown command, tool or flag, bad JSON): message on stderr, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs `main` when the module at `moduleUrl` is the script Node was started with (not when a
 * test imports it): its result is the exit code; a failure prints its message, exit 2 for a
 * {@link UsageError}, else 1.
 */
export function runAsScript(moduleUrl: string, main: () => Promise<number>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}

export interface FlagSpec {
  name: string;
  /** Takes a value (`--call-id ID`) rather than being a switch (`--json`). */
  value: boolean;
  description: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export interface CliContext {
  /** The command's result: the only thing written to stdout. */
  out(text: string): void;
  /** Progress and diagnostics: stderr. */
  err(text: string): void;
  /** The stack to talk to; opened on first use and closed by the CLI after the command. */
  session(): Promise<AgentSession>;
}

/** One entry of the CLI's command table: adding a command is adding one of these. */
export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  flags: FlagSpec[];
  /** Exit code: 0 ok, 1 the agent answered with an error, 2 usage. */
  run(args: ParsedArgs, context: CliContext): Promise<number>;
}

/**
 * A word of the command line as a usage message may repeat it: a name-shaped word (a mistyped
 * flag, command or tool) as typed, anything else not at all. What an operator types may be a
 * caller's number or SSN pasted in the wrong place, and stderr ends up in shell history, CI
 * logs and tickets.
 */
export function shown(word: string, as = `'${word}'`): string {
  return /^[A-Za-z][A-Za-z0-9_-]{0,39}$/.test(word) && !carriesPersonalData(word) ? as : '(not shown: not a name)';
}

/** `--name value`, `--name=value` and `--switch`; anything not declared is a usage error. */
export function parseArgs(argv: string[], specs: FlagSpec[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i] as string;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('--')) {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new UsageError(`unknown option ${shown(name, `--${name}`)}`);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    if (eq < 0) i += 1;
    const value = eq >= 0 ? token.slice(eq + 1) : argv[i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positionals, flags };
}

/** An extra positional argument is not repeated back: it is whatever was typed (see {@link shown}). */
export const UNEXPECTED_ARGUMENT = 'unexpected argument (this command takes no further arguments)';

/** For commands that take flags only. */
export function noPositionals(args: ParsedArgs): void {
  if (args.positionals.length > 0) throw new UsageError(UNEXPECTED_ARGUMENT);
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Call ids become storage keys: refuse anything SignalWire would never send before it leaves the CLI. */
export function callIdFlag(args: ParsedArgs): string | undefined {
  const value = stringFlag(args, 'call-id');
  if (value !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(value)) {
    throw new UsageError('--call-id must be letters, digits, . _ : - (SignalWire uses UUIDs)');
  }
  return value;
}

export const CALL_ID_FLAG: FlagSpec = { name: 'call-id', value: true, description: 'SignalWire call id (default: a new UUID)' };
export const FROM_FLAG: FlagSpec = { name: 'from', value: true, description: "caller's number, E.164 (default +15551230000)" };
