/**
 * `npm run logs -- <function|all> [--call-id ID] [--since 1h] [--follow] [--stage S] [--stack NAME] [--region R]`
 *
 * Reads the deployed stack's log groups from its outputs (LogGroup<Function>) and wraps the
 * AWS CLI: `aws logs tail` for one function (with a JSON filter on the call id when given),
 * or a Logs Insights query across every function for `all --call-id ID` (a whole call's
 * timeline). Planning is pure (tested without AWS); only {@link main} runs processes.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runAsScript, UsageError } from '#infra/local/cli/command.js';
import { type AgentFunctionName, FUNCTION_NAMES } from '../stack/settings.js';
import { callTimelineQuery, logGroupOutputId, SAFE_CALL_ID } from '../stack/log-queries.js';

/** Every function of the stack (each has a log-group output). */
const FUNCTIONS = FUNCTION_NAMES;
type FunctionName = AgentFunctionName;

export interface LogsOptions {
  target: FunctionName | 'all';
  callId?: string;
  since: string;
  follow: boolean;
  stackName: string;
  region?: string;
}

export const USAGE =
  `usage: npm run logs -- <${FUNCTIONS.join('|')}|all> ` +
  '[--call-id ID] [--since 1h] [--follow] [--stage STAGE] [--stack NAME] [--region REGION]';

const SINCE = /^\d+[smhdw]$/;

function defaultStage(projectRoot: string): string {
  try {
    const cdk = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context?: { stage?: unknown } };
    return typeof cdk.context?.stage === 'string' ? cdk.context.stage : 'prod';
  } catch {
    return 'prod';
  }
}

/** Parses the command line; throws {@link UsageError} with a message fit for the terminal. */
export function parseLogsArgs(argv: string[], env: NodeJS.ProcessEnv = {}, projectRoot = '.'): LogsOptions {
  const rest = [...argv];
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  while (rest.length) {
    const arg = rest.shift() as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (name === 'follow') flags.set(name, true);
    else if (['call-id', 'since', 'stage', 'stack', 'region'].includes(name)) {
      const value = inline ?? rest.shift();
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value\n${USAGE}`);
      flags.set(name, value);
    } else throw new UsageError(`unknown option --${name}\n${USAGE}`);
  }
  const [target, ...extra] = positional;
  if (!target || extra.length) throw new UsageError(USAGE);
  if (target !== 'all' && !(FUNCTIONS as readonly string[]).includes(target)) {
    throw new UsageError(`unknown function "${target}" (one of ${FUNCTIONS.join(', ')}, all)`);
  }
  const str = (name: string): string | undefined => {
    const v = flags.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const callId = str('call-id');
  if (callId !== undefined && !SAFE_CALL_ID.test(callId))
    throw new UsageError('--call-id must be a SignalWire call id (letters, digits, - . _ :)');
  if (target === 'all' && callId === undefined) throw new UsageError('"all" needs --call-id (a whole call across functions)');
  const since = str('since') ?? '1h';
  if (!SINCE.test(since)) throw new UsageError('--since must look like 30m, 1h, 2d');
  const follow = flags.get('follow') === true;
  if (follow && target === 'all') throw new UsageError('--follow works with one function, not "all"');
  const stage = str('stage') ?? env.STAGE ?? defaultStage(projectRoot);
  return {
    target: target as FunctionName | 'all',
    callId,
    since,
    follow,
    stackName: str('stack') ?? env.STACK_NAME ?? `recording-agent-${stage}`,
    region: str('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
  };
}

/** Stack outputs as {key: value}, e.g. from `aws cloudformation describe-stacks`. */
export type StackOutputs = Record<string, string>;

/** The log group names of the requested function(s), from the stack outputs. */
export function logGroupsFor(target: FunctionName | 'all', outputs: StackOutputs): string[] {
  const names = target === 'all' ? [...FUNCTIONS] : [target];
  return names.map((name) => {
    const group = outputs[logGroupOutputId(name)];
    if (!group) throw new UsageError(`stack output ${logGroupOutputId(name)} not found: is the stack deployed and current?`);
    return group;
  });
}

function regionArgs(options: LogsOptions): string[] {
  return options.region ? ['--region', options.region] : [];
}

/** `aws` arguments that fetch the stack outputs. */
export function describeStackArgs(options: LogsOptions): string[] {
  return [
    'cloudformation',
    'describe-stacks',
    '--stack-name',
    options.stackName,
    '--query',
    'Stacks[0].Outputs',
    '--output',
    'json',
    ...regionArgs(options),
  ];
}

/** `aws logs tail` arguments for one function, filtered to one call with a JSON filter pattern. */
export function tailArgs(options: LogsOptions, logGroup: string): string[] {
  const args = ['logs', 'tail', logGroup, '--since', options.since, '--format', 'short', ...regionArgs(options)];
  if (options.callId) args.push('--filter-pattern', `{ $.correlation_id = "${options.callId}" }`);
  if (options.follow) args.push('--follow');
  return args;
}

/** Seconds of a `--since` value (`1h` → 3600). */
export function sinceSeconds(since: string): number {
  const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[since.slice(-1)] ?? 1;
  return Number.parseInt(since, 10) * unit;
}

/** `aws logs start-query` arguments for the whole-call timeline across the given log groups. */
export function startQueryArgs(options: LogsOptions, logGroups: string[], nowSeconds: number): string[] {
  if (!options.callId) throw new UsageError('a call timeline needs --call-id');
  return [
    'logs',
    'start-query',
    '--log-group-names',
    ...logGroups,
    '--start-time',
    String(nowSeconds - sinceSeconds(options.since)),
    '--end-time',
    String(nowSeconds),
    '--query-string',
    callTimelineQuery(options.callId),
    '--output',
    'json',
    ...regionArgs(options),
  ];
}

interface QueryResults {
  status?: string;
  results?: { field?: string; value?: string }[][];
}

/** One line per Insights row: timestamp, service, level, message (the query's own fields). */
export function formatQueryRows(results: QueryResults['results']): string[] {
  return (results ?? []).map((row) => {
    const cell = (name: string): string => row.find((c) => c.field === name)?.value ?? '';
    return [cell('@timestamp'), cell('service'), cell('level'), cell('message'), cell('code'), cell('reason')]
      .filter((v) => v !== '')
      .join('  ');
  });
}

/* istanbul ignore start -- process plumbing: needs the AWS CLI and a deployed stack. */
const run = promisify(execFile);

async function aws(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('aws', args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error: unknown) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new Error('the AWS CLI (`aws`, v2) is not installed or not on PATH');
    }
    throw error;
  }
}

async function main(): Promise<number> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const options = parseLogsArgs(process.argv.slice(2), process.env, root);
  const raw = JSON.parse(await aws(describeStackArgs(options))) as { OutputKey: string; OutputValue: string }[] | null;
  const outputs = Object.fromEntries((raw ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const groups = logGroupsFor(options.target, outputs);

  if (options.target !== 'all') {
    const child = spawn('aws', tailArgs(options, groups[0] as string), { stdio: 'inherit' });
    return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  }
  const { queryId } = JSON.parse(await aws(startQueryArgs(options, groups, Math.floor(Date.now() / 1000)))) as {
    queryId: string;
  };
  for (;;) {
    const results = JSON.parse(
      await aws(['logs', 'get-query-results', '--query-id', queryId, '--output', 'json', ...regionArgs(options)]),
    ) as QueryResults;
    if (results.status && !['Scheduled', 'Running'].includes(results.status)) {
      for (const line of formatQueryRows(results.results)) process.stdout.write(`${line}\n`);
      return results.status === 'Complete' ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

runAsScript(import.meta.url, main);
/* istanbul ignore stop */
