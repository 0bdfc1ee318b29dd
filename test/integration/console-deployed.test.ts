import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startConsole, type RunningConsole } from '#infra/console/server.js';
import { deployedSource } from '#infra/console/source.js';
import type { CliContext } from '#infra/local/cli/command.js';
import { runOnTarget } from '#infra/local/cli/privacy-target.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.js';
import { callKey, SK } from '#shared/storage/layout.js';
import { startAwsStandIn, type AwsStandIn } from '#test/support/aws-stand-in.js';
import { captureLogs } from '#test/support/logs.js';
import { seedCall, type SeededCall } from '#test/support/privacy-seed.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';

const STACK = 'recording-agent-prod';
const FUNCTION = 'recording-agent-prod-Privacy-abc123';
const CALLER = '+14155550188';

/**
 * `npx recording-agent console --stage prod`, wired as infra/local/cli/commands/console.ts wires
 * it: reads through the table and bucket the stack's outputs name, actions through the stack's
 * privacy function. CloudFormation and Lambda are the stand-ins (test/support/aws-stand-in.ts),
 * the table and bucket the embedded emulators, reached with the SDK's default chain
 * (AWS_ENDPOINT_URL_* as an operator's profile would point at AWS).
 */
describe('operator console against a deployed stage', () => {
  let storage: TestStorage;
  let standIn: AwsStandIn;
  let restoreEndpoints: () => void;
  let running: RunningConsole;
  let seeded: SeededCall;
  let cookie: string;
  let logs: ReturnType<typeof captureLogs>;
  const stderr: string[] = [];

  beforeAll(async () => {
    logs = captureLogs();
    process.env.LOG_LEVEL ??= 'ERROR';
    storage = await startTestStorage();
    seeded = await seedCall(CALLER, 1);
    standIn = await startAwsStandIn({
      [STACK]: { TableName: storage.table, BucketName: storage.bucket, PrivacyFunctionName: FUNCTION },
      'recording-agent-other': { PrivacyFunctionName: FUNCTION },
      'recording-agent-gone': { TableName: 'no-such-table', BucketName: storage.bucket, PrivacyFunctionName: FUNCTION },
    });
    restoreEndpoints = standIn.useEndpoints();
    const context: CliContext = {
      out: () => undefined,
      err: (text) => void stderr.push(text),
      session: () => Promise.reject(new Error('a deployed console opens no local session')),
    };
    const source = await deployedSource(STACK, (request) => runOnTarget({ kind: 'stack', stackName: STACK }, request, context), {
      retentionDays: 90,
      requestedBy: 'console:operator',
    });
    running = await startConsole(source);
    // The printed URL carries the token once; the console trades it for the session cookie.
    const first = await fetch(running.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  });
  afterAll(async () => {
    await running?.close();
    restoreEndpoints?.();
    await standIn?.close();
    await storage?.stop();
    logs?.restore();
  });

  const get = (path: string, headers: Record<string, string> = { Cookie: cookie }): Promise<Response> =>
    fetch(`${running.origin}${path}`, { headers, redirect: 'manual' });
  const post = (path: string, form: Record<string, string>, headers: Record<string, string>): Promise<Response> =>
    fetch(`${running.origin}${path}`, {
      method: 'POST',
      body: new URLSearchParams(form).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      redirect: 'manual',
    });
  const emulatorCommon = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };

  it('names the stack in the header and lists the seeded call, read from the table the stack names', async () => {
    expect(cookie).toMatch(/^recording_agent_console=.+/);

    const response = await get('/calls');
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(body).toContain(`stack ${STACK}`);
    expect(body).toContain(`href="/calls/${seeded.callId}"`);
    expect(standIn.invocations).toEqual([]);
  });

  it('renders the call page with its recording, audio presigned on the bucket the stack names', async () => {
    const response = await get(`/calls/${seeded.callId}`);
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(body).toContain(seeded.recordings[0]);
    expect(body).toContain('Place legal hold');
    const audio = /<audio [^>]*src="([^"]+)"/.exec(body)?.[1]?.replace(/&amp;/g, '&');
    expect(audio).toBeDefined();
    const fetched = await fetch(audio as string);
    expect(fetched.status).toBe(200);
    expect([...new Uint8Array(await fetched.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('refuses requests without the session token, and a POST without the CSRF token or from another origin', async () => {
    const noToken = await get('/calls', {});
    const noCsrf = await post(
      `/calls/${seeded.callId}/actions`,
      { action: 'hold', reason: 'legal-hold' },
      { Cookie: cookie, Origin: running.origin, 'Sec-Fetch-Site': 'same-origin' },
    );
    const page = await (await get(`/calls/${seeded.callId}`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const crossSite = await post(
      `/calls/${seeded.callId}/actions`,
      { csrf, action: 'hold', reason: 'legal-hold' },
      { Cookie: cookie, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    );
    const postNoSession = await post(
      `/calls/${seeded.callId}/actions`,
      { csrf, action: 'hold', reason: 'legal-hold' },
      { Origin: running.origin, 'Sec-Fetch-Site': 'same-origin' },
    );

    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toMatch(/session token required/);
    expect(noCsrf.status).toBe(403);
    expect(crossSite.status).toBe(403);
    expect(postNoSession.status).toBe(403);
    expect(standIn.invocations).toEqual([]);
  });

  it('holds the call through the privacy function the stack names; the emulators show it held', async () => {
    const page = await (await get(`/calls/${seeded.callId}`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();

    const response = await post(
      `/calls/${seeded.callId}/actions`,
      { csrf: csrf as string, action: 'hold', reason: 'legal-hold' },
      { Cookie: cookie, Origin: running.origin, 'Sec-Fetch-Site': 'same-origin' },
    );
    const location = response.headers.get('location') ?? '';
    const after = await (await get(location)).text();

    expect(response.status).toBe(303);
    expect(location).toMatch(new RegExp(`^/calls/${seeded.callId}\\?outcome=`));
    expect(after).toMatch(/hold: done<\/strong> — status held: \d+ objects moved/);
    expect(after).toContain('Release hold');
    expect(standIn.invocations).toEqual([
      {
        functionName: FUNCTION,
        payload: { action: 'hold', callId: seeded.callId, requestedBy: 'console:operator', reason: 'legal-hold' },
      },
    ]);
    expect(stderr).toEqual([`invoking the privacy function of stack ${STACK}`]);
    // Read independently of the console and the function: the hold item and the relocated objects.
    const db = new DynamoDBClient({ ...emulatorCommon, endpoint: storage.emulators.dynamodbEndpoint });
    const hold = await db.send(
      new GetItemCommand({
        TableName: storage.table,
        Key: { pk: { S: callKey(seeded.callId) }, sk: { S: SK.legalHold } },
        ConsistentRead: true,
      }),
    );
    expect(hold.Item?.reason).toEqual({ S: 'legal-hold' });
    const s3 = new S3Client({ ...emulatorCommon, endpoint: storage.emulators.s3Endpoint, forcePathStyle: true });
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: storage.bucket }))).Contents ?? [])
      .map((o) => o.Key ?? '')
      .filter((k) => k.includes(seeded.callId));
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(keys.every((k) => k.startsWith(`legal-hold/${seeded.callId}/`))).toBe(true);
    // Neither the console nor the function logged the caller's number.
    expect(logs.text()).not.toContain(CALLER.slice(2));
  });

  it('the real bin: `console --stage prod` prints the URL of a console on that stack, and stops on SIGTERM (exit 130)', async () => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'recording-agent.mjs'), 'console', '--stage', 'prod'], {
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          const found = /Open (\S+)/.exec(out)?.[1];
          if (found) resolve(found);
        });
        void exited.then((code) => reject(new Error(`console exited ${code}: ${err}`)));
      });
      const traded = await fetch(url, { redirect: 'manual' });
      const session = (traded.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const calls = await fetch(new URL('/calls', url), { headers: { Cookie: session } });

      expect(calls.status).toBe(200);
      const body = await calls.text();
      expect(body).toContain(`stack ${STACK}`);
      expect(body).toContain(`href="/calls/${seeded.callId}"`);
      expect(err).toContain(`console for stack ${STACK}; Ctrl-C to stop`);
    } finally {
      child.kill('SIGTERM');
    }
    // The CLI's own Ctrl-C/SIGTERM handling (infra/local/cli.ts) ends it: exit 130, as for any command.
    expect(await exited).toBe(130);
  });

  it('a read that fails names what to check on a deployed stage (not the local data folder)', async () => {
    const source = await deployedSource('recording-agent-gone', () => Promise.reject(new Error('not called')), {
      retentionDays: 90,
      requestedBy: 'console:operator',
    });
    const gone = await startConsole(source);
    try {
      const traded = await fetch(gone.url, { redirect: 'manual' });
      const session = (traded.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const response = await fetch(`${gone.origin}/calls`, { headers: { Cookie: session } });
      const body = await response.text();

      expect(response.status).toBe(500);
      expect(body).toContain('the console could not read the stack (ResourceNotFoundException)');
      expect(body).toContain('check that your AWS credentials and region may Query/GetItem the table');
      expect(body).not.toContain('LOCAL_DATA_DIR');
      expect(logs.text()).toContain('console: ResourceNotFoundException');
    } finally {
      await gone.close();
    }
  });

  it('refuses to start on an unknown stack or one without the outputs it reads', async () => {
    const settings = { retentionDays: 90, requestedBy: 'console:operator' };
    const act = (): never => {
      throw new Error('not called');
    };

    await expect(deployedSource('recording-agent-nope', act, settings)).rejects.toThrow(/Stack does not exist/);
    await expect(deployedSource('recording-agent-other', act, settings)).rejects.toThrow(
      'stack recording-agent-other has no TableName output (is it a recording-agent stack?)',
    );
  });
});
