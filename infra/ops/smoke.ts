import { resolve } from 'node:path';
import { AgentClient, type AgentReply } from '#infra/local/cli/agent-client.js';
import { callTool, fetchSwml } from '#infra/local/cli/calls.js';
import { parseArgs, runAsScript, stringFlag, UsageError, type CliContext } from '#infra/local/cli/command.js';
import { runOnTarget, type PrivacyTarget } from '#infra/local/cli/privacy-target.js';
import type { AgentSession } from '#infra/local/cli/session.js';
import { currentRecordingStatusBody, simulatedCall } from '#infra/local/cli/signalwire-payloads.js';
import { isObject, offeredTools, swmlActionVerbs } from '#infra/local/cli/swml-reader.js';
import { isLive, readEndpoints } from '#infra/local/endpoints.js';

/**
 * `npm run smoke -- --url <SwmlUrlWithCredentials> [--stage <stage>] [--data-dir <dir>]`: after a
 * deploy (or against `npm start`), one synthetic call as SignalWire would make it: SWML fetch,
 * the consent tool through the URL the SWML names, the finished-recording callback to the
 * status_url the consent answer names, then erasure of that call. One PASS/FAIL/SKIP line per
 * step; exit 0 when nothing failed.
 *
 * Erasure goes through the privacy operation: on the local stack in-process (its endpoints.json
 * in --data-dir, LOCAL_DATA_DIR or .local/), on a deployed stage through its privacy function
 * (--stage and AWS credentials: lambda:InvokeFunction, cloudformation:DescribeStacks).
 */

export interface SmokeOptions {
  /** The SWML URL with basic-auth credentials (the `SwmlUrlWithCredentials` output, password filled in). */
  url: string;
  /** Deployed stage: erasure invokes the privacy function of stack `recording-agent-<stage>`. */
  stage?: string;
  /** Local data directory with the running stack's endpoints.json (for a local URL). */
  dataDir?: string;
}

type Outcome = 'PASS' | 'FAIL' | 'SKIP';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A client for the API the URL names, with the URL's credentials (fetch refuses them inline). */
function clientFor(url: URL): AgentClient {
  if (!url.username || !url.password)
    throw new UsageError('--url must carry the credentials: https://signalwire:<password>@host/swml');
  return new AgentClient({
    api: url.origin,
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  });
}

const brief = (reply: AgentReply): string => `HTTP ${reply.status}`;

/** The running local stack for erasure, only if its endpoints.json says it is this one and live. */
async function localSession(url: URL, dataDir: string): Promise<AgentSession | undefined> {
  const endpoints = readEndpoints(dataDir);
  if (!endpoints || new URL(endpoints.api).origin !== url.origin || !(await isLive(endpoints))) return undefined;
  return { client: clientFor(url), endpoints, mode: 'running', dataDir, close: async () => undefined };
}

/** Where erasure runs, or why it cannot. */
async function erasureTarget(
  url: URL,
  options: SmokeOptions,
): Promise<{ target: PrivacyTarget; session?: AgentSession } | string> {
  if (options.stage) return { target: { kind: 'stack', stackName: `recording-agent-${options.stage}` } };
  if (!LOCAL_HOSTS.has(url.hostname)) return 'needs --stage and AWS credentials';
  const dataDir = resolve(options.dataDir ?? process.env.LOCAL_DATA_DIR ?? '.local');
  const session = await localSession(url, dataDir);
  return session ? { target: { kind: 'local' }, session } : `no live local stack described in ${dataDir}/endpoints.json`;
}

/** Runs the smoke test; `print` gets one line per step. Returns the exit code. */
export async function runSmoke(options: SmokeOptions, print: (line: string) => void): Promise<number> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new UsageError('--url is not a URL');
  }
  const client = clientFor(url);
  const call = simulatedCall({ callId: `smoke-${crypto.randomUUID()}` });
  let failed = false;
  const step = (outcome: Outcome, name: string, detail: string): void => {
    if (outcome === 'FAIL') failed = true;
    print(`${outcome} ${name}: ${detail}`);
  };
  print(`smoke test of ${url.origin} with synthetic call ${call.callId}`);

  // 1. SWML, as SignalWire fetches it when the call arrives.
  let document: unknown;
  try {
    document = await fetchSwml(client, call);
    const tools = offeredTools(document).functions.map((f) => f.function);
    if (tools.includes('get_recording_consent')) step('PASS', 'swml', `${tools.length} tools offered`);
    else step('FAIL', 'swml', 'the SWML offers no get_recording_consent tool');
  } catch (error) {
    step('FAIL', 'swml', error instanceof Error ? error.message.slice(0, 200) : 'failed');
  }

  // 2. The caller agrees: the consent tool through the URL the SWML names.
  let statusUrl: string | undefined;
  if (document !== undefined) {
    const reply = await callTool(client, document, call, 'get_recording_consent', { response: 'yes' }).catch(() => undefined);
    const recordCall = reply?.ok ? swmlActionVerbs(reply.body).find((v) => isObject(v.record_call))?.record_call : undefined;
    statusUrl = isObject(recordCall) && typeof recordCall.status_url === 'string' ? recordCall.status_url : undefined;
    if (statusUrl) step('PASS', 'consent', `${reply ? brief(reply) : ''}, record_call with a status_url`);
    else step('FAIL', 'consent', reply ? `${brief(reply)} without a record_call status_url` : 'no answer');
  } else step('SKIP', 'consent', 'no SWML document');

  // 3. SignalWire reports the finished recording to that status_url (its own per-call token or credentials).
  if (statusUrl) {
    const reply = await client.post(statusUrl, currentRecordingStatusBody(call, { state: 'finished' }));
    step(reply.ok ? 'PASS' : 'FAIL', 'recording-status', brief(reply));
  } else step('SKIP', 'recording-status', 'no status_url');

  // 4. Clean up: erase the synthetic call through the privacy operation.
  const where = await erasureTarget(url, options);
  if (typeof where === 'string') {
    step('SKIP', 'erase', `${where}; erase it later: npx recording-agent erase --call-id ${call.callId} --stack <stack>`);
  } else {
    const context: CliContext = {
      out: () => undefined,
      err: () => undefined,
      session: async () => {
        if (!where.session) throw new Error('no local session');
        return where.session;
      },
    };
    try {
      const answer = await runOnTarget(
        where.target,
        { action: 'erase', callId: call.callId, reason: 'smoke-test', requestedBy: 'smoke' },
        context,
      );
      if (answer.ok) step('PASS', 'erase', `call ${call.callId} erased`);
      else step('FAIL', 'erase', `${answer.error.code}: ${answer.error.message}`);
    } catch (error) {
      step('FAIL', 'erase', error instanceof Error ? error.message.slice(0, 200) : 'failed');
    }
  }
  print(failed ? 'smoke test FAILED' : 'smoke test passed');
  return failed ? 1 : 0;
}

/* istanbul ignore start: the command-line wrapper; runSmoke is what the tests drive */
async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), [
    { name: 'url', value: true, description: 'SWML URL with credentials' },
    { name: 'stage', value: true, description: 'deployed stage (erasure through its privacy function)' },
    { name: 'data-dir', value: true, description: 'local data directory (default LOCAL_DATA_DIR or .local)' },
  ]);
  const url = stringFlag(args, 'url');
  if (!url) throw new UsageError('usage: npm run smoke -- --url <SwmlUrlWithCredentials> [--stage <stage>] [--data-dir <dir>]');
  const stage = stringFlag(args, 'stage');
  const dataDir = stringFlag(args, 'data-dir');
  return runSmoke({ url, ...(stage ? { stage } : {}), ...(dataDir ? { dataDir } : {}) }, (line) =>
    process.stdout.write(`${line}\n`),
  );
}

runAsScript(import.meta.url, main);
/* istanbul ignore stop */
