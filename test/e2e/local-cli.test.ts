import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '#infra/local/cli.js';
import { simulatedCall } from '#infra/local/cli/signalwire-payloads.js';
import { swmlActionVerbs } from '#infra/local/cli/swml-reader.js';
import { useConsentStoreForTests } from '#shared/agent/swaig-core.js';
import { logger } from '#shared/observability/logger.js';
import { captureLogs } from '#test/support/logs.js';
import { swmlErrors } from '#test/support/swml-schema.js';
import { objectsForCall, outsideClients, startE2eStack, tempDataDir } from './local-stack-harness.js';
import { resetInstance } from '#shared/instance.js';

const BIN = fileURLToPath(new URL('../../bin/recording-agent.mjs', import.meta.url));

/** Values the simulated caller gives that must never appear in any output or log line. */
const SENSITIVE = ['123-45-6789', '4242424242424242', '+15551230000'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables an in-process stack (or a test) sets, which a user's shell does not have. */
const NOT_IN_USER_SHELL =
  /^(AWS_|SWML_|TOKEN_SECRET|CALLER_HASH_SECRET|TABLE_NAME|BUCKET_NAME|S3_FORCE_PATH_STYLE|LOG_LEVEL|VITEST)/;

/** The environment of a user's shell: none of the variables an in-process stack sets. */
function userEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (NOT_IN_USER_SHELL.test(key)) continue;
    env[key] = value;
  }
  env.LOCAL_DATA_DIR = dataDir;
  return env;
}

/**
 * This test process as a user's shell would start the CLI: those variables removed (vitest's
 * own kept) and the handlers' log level at its default. Returns the undo.
 */
function asUserShell(): () => void {
  const removed = Object.entries(process.env).filter(([key]) => NOT_IN_USER_SHELL.test(key) && !key.startsWith('VITEST'));
  for (const [key] of removed) delete process.env[key];
  const level = logger.getLevelName();
  logger.setLogLevel('INFO');
  return () => {
    Object.assign(process.env, Object.fromEntries(removed));
    logger.setLogLevel(level);
  };
}

/**
 * Runs a command line in this process through the CLI's own entry (infra/local/cli.ts
 * runCli), as the bin would: the command's result is stdout; its diagnostics and everything
 * written to process.stdout/stderr meanwhile (the handlers' log lines) are stderr.
 */
async function cli(args: string[], dataDir: string): Promise<Run> {
  // As in a new process: the handlers build their stores again, on the SDK clients of the
  // stack this run uses (startLocalStack resets the config, clients and secrets caches).
  useConsentStoreForTests(undefined);
  resetInstance();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const logs = captureLogs();
  let code: number;
  try {
    code = await runCli(args, {
      out: (text) => void stdout.push(`${text}\n`),
      err: (text) => void stderr.push(`${text}\n`),
      env: { ...process.env, LOCAL_DATA_DIR: dataDir },
    });
  } finally {
    logs.restore();
  }
  return { code, stdout: stdout.join(''), stderr: stderr.join('') + logs.text() };
}

/** Spawns the published bin exactly as `npx recording-agent ...` would run it. */
function spawnBin(args: string[], dataDir: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: userEnv(dataDir), timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The real bin, for what only a separate process shows: exit codes and stdout vs stderr. */
describe('recording-agent CLI (spawned bin, embedded stack)', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('exits 2 for an unknown command and lists the commands', async () => {
    const run = await spawnBin(['frobnicate'], data.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(run.stderr).toMatch(/simulate/);
  });

  it('`exec` prints only the SWAIG response JSON on stdout (logs go to stderr)', async () => {
    const run = await spawnBin(
      ['exec', 'get_recording_consent', '--args', '{"response":"yes"}', '--call-id', 'cli-call-2'],
      data.dir,
    );
    expect(run.code).toBe(0);
    const response = JSON.parse(run.stdout) as unknown;
    expect(swmlActionVerbs(response).find((v) => 'record_call' in v)).toMatchObject({ record_call: { control_id: 'main' } });
    expect(run.stderr).toContain('"level"'); // the handlers' log lines went to stderr
  });
});

describe('recording-agent CLI (in process, embedded stack)', () => {
  const data = tempDataDir();
  let restoreEnv: () => void;
  beforeAll(() => {
    restoreEnv = asUserShell();
  });
  afterAll(() => {
    restoreEnv();
    data.remove();
  });

  it('exits 2 with a clear message for an unknown tool', async () => {
    const run = await cli(['exec', 'no_such_tool'], data.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown tool 'no_such_tool'/);
    expect(run.stdout).toBe('');
  });

  it('exits 2 for --args that are not JSON, before starting anything', async () => {
    const run = await cli(['exec', 'get_recording_consent', '--args', '{oops'], data.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--args is not valid JSON/);
  });

  it('`swml` prints a schema-valid SWML document and nothing else on stdout', async () => {
    const run = await cli(['swml', '--call-id', 'cli-call-1', '--from', '+15551230000'], data.dir);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as unknown;
    expect(swmlErrors(document)).toEqual([]);
  });

  it('`exec` runs a secure tool with the token from the SWML for its call', async () => {
    const run = await cli(['exec', 'ssn_received', '--args', '{"ssn":"123-45-6789"}'], data.dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveProperty('response');
    for (const value of SENSITIVE.slice(0, 1)) expect(run.stderr + run.stdout).not.toContain(value);
  });

  it('`tools` lists every tool with its parameters, secure ones marked', async () => {
    const run = await cli(['tools', '--json'], data.dir);
    expect(run.code).toBe(0);
    const tools = JSON.parse(run.stdout) as Array<{ function: string; secure: boolean; parameters: unknown }>;
    expect(tools.map((t) => t.function)).toEqual(
      expect.arrayContaining(['get_recording_consent', 'pause_recording', 'process_payment']),
    );
    expect(tools.some((t) => t.secure)).toBe(true);
  });

  it('`simulate` walks the whole call, exits 0, and no output or log line carries the SSN, card or caller number', async () => {
    const run = await cli(['simulate'], data.dir);
    expect(run.stderr).not.toMatch(/simulation failed/);
    expect(run.code).toBe(0);
    for (const step of [
      'get_recording_consent',
      'pause_recording',
      'ssn_received',
      'resume_recording',
      'process_payment',
      'payment connector',
      'status_url',
    ]) {
      expect(run.stdout).toContain(step);
    }
    expect(run.stdout).toMatch(/all \d+ steps ok/);
    for (const value of SENSITIVE) expect(run.stdout + run.stderr).not.toContain(value);
  });
});

describe('recording-agent CLI against a running stack', () => {
  const data = tempDataDir();
  let running: Awaited<ReturnType<typeof startE2eStack>>;
  beforeAll(async () => {
    running = await startE2eStack(data.dir);
  });
  afterAll(async () => {
    await running?.stack.stop();
    data.remove();
  });

  it('finds it through endpoints.json and its data lands there', async () => {
    const { callId } = simulatedCall();
    const run = await cli(['simulate', '--call-id', callId], data.dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`running stack at ${running.stack.endpoints.api}`);
    const stored = await objectsForCall(outsideClients(running.stack.endpoints).s3, running.stack.endpoints.bucket, callId);
    expect(stored).toHaveLength(1);
  });
});
