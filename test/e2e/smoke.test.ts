import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { runSmoke } from '#infra/ops/smoke.js';
import type { LocalStack } from '#infra/local/stack.js';
import { callKey, SK } from '#shared/storage/layout.js';
import { startAwsStandIn } from '#test/support/aws-stand-in.js';
import { objectsForCall, outsideClients, startE2eStack, tempDataDir } from './local-stack-harness.js';

/** The result line of each step (`PASS swml`…), in order. */
const stepsOf = (lines: string[]): string[] =>
  lines.filter((l) => /^(PASS|FAIL|SKIP) /.test(l)).map((l) => l.split(':')[0] ?? '');
/** The synthetic call the run announced on its first line. */
const callIdOf = (lines: string[]): string => /synthetic call (\S+)/.exec(lines[0] ?? '')?.[1] ?? '';

/** `npm run smoke` against the local stack, as an operator runs it after `npm start`. */
describe('npm run smoke against the local stack', { timeout: 120_000 }, () => {
  const data = tempDataDir();
  let stack: LocalStack;

  beforeAll(async () => {
    ({ stack } = await startE2eStack(data.dir));
  });
  afterAll(async () => {
    await stack.stop();
    data.remove();
  });

  it('passes every step and leaves no trace of its synthetic call', async () => {
    // Act
    const lines: string[] = [];
    const code = await runSmoke({ url: stack.endpoints.swml, dataDir: data.dir }, (line) => lines.push(line));
    // Assess: one PASS line per step, in order, and the call's data gone.
    expect(stepsOf(lines)).toEqual(['PASS swml', 'PASS consent', 'PASS recording-status', 'PASS erase']);
    expect(code).toBe(0);
    const callId = callIdOf(lines);
    expect(callId).toMatch(/^smoke-/);
    expect(await objectsForCall(outsideClients(stack.endpoints).s3, stack.endpoints.bucket, callId)).toEqual([]);
  });

  it('fails on wrong credentials and says so per step', async () => {
    const url = new URL(stack.endpoints.swml);
    url.password = 'wrong-password';
    const lines: string[] = [];
    const code = await runSmoke({ url: url.toString(), dataDir: data.dir }, (line) => lines.push(line));
    expect(code).toBe(1);
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^FAIL swml: .*401/), expect.stringMatching(/^SKIP consent/)]),
    );
  });

  it('skips erasure of a deployed stage without --stage, naming what it needs', async () => {
    // A non-local host with no --stage: the erase step cannot run. The API itself is the local one,
    // reached through another name for the loopback address.
    const url = new URL(stack.endpoints.swml);
    url.hostname = '127.0.0.2';
    const lines: string[] = [];
    await runSmoke({ url: url.toString() }, (line) => lines.push(line)).catch(() => 1);
    expect(lines.find((l) => l.startsWith('SKIP erase'))).toContain('needs --stage and AWS credentials');
  });

  it('--stage prod: a local URL is still accepted, erasure goes through the stage privacy function', async () => {
    // The API is the local stack's; CloudFormation and Lambda are stand-ins whose "deployed"
    // privacy function is the real handler on the same emulators.
    const standIn = await startAwsStandIn({
      'recording-agent-prod': { PrivacyFunctionName: 'recording-agent-prod-Privacy-abc123' },
    });
    const restore = standIn.useEndpoints();
    const lines: string[] = [];
    let code: number;
    try {
      // No data dir: erasure must not need the local stack's endpoints.json.
      code = await runSmoke({ url: stack.endpoints.swml, stage: 'prod' }, (line) => lines.push(line));
    } finally {
      restore();
      await standIn.close();
    }

    expect(stepsOf(lines)).toEqual(['PASS swml', 'PASS consent', 'PASS recording-status', 'PASS erase']);
    expect(code).toBe(0);
    const callId = callIdOf(lines);
    expect(callId).toMatch(/^smoke-/);
    expect(standIn.invocations).toEqual([
      {
        functionName: 'recording-agent-prod-Privacy-abc123',
        payload: { action: 'erase', callId, reason: 'smoke-test', requestedBy: 'smoke' },
      },
    ]);
    // Read independently: no object of the call left, only the tombstone and the closed gate in the table.
    await stack.transcription.settle();
    const { s3, dynamodb } = outsideClients(stack.endpoints);
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: stack.endpoints.bucket }))).Contents ?? []).map(
      (o) => o.Key ?? '',
    );
    expect(keys.filter((k) => k.includes(callId))).toEqual([]);
    expect(await objectsForCall(s3, stack.endpoints.bucket, callId)).toEqual([]);
    const items = await dynamodb.send(
      new QueryCommand({
        TableName: stack.endpoints.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: callKey(callId) } },
        ConsistentRead: true,
      }),
    );
    expect((items.Items ?? []).map((i) => i.sk?.S)).toEqual([SK.erasedTombstone, SK.guard]);
  });

  it('--stage of a stack that does not exist: erase FAILs with the reason, the other steps still PASS', async () => {
    const standIn = await startAwsStandIn({});
    const restore = standIn.useEndpoints();
    const lines: string[] = [];
    let code: number;
    try {
      code = await runSmoke({ url: stack.endpoints.swml, stage: 'nope' }, (line) => lines.push(line));
    } finally {
      restore();
      await standIn.close();
    }

    expect(code).toBe(1);
    expect(lines).toEqual(expect.arrayContaining(['PASS recording-status: HTTP 200', 'FAIL erase: Stack does not exist']));
    expect(standIn.invocations).toEqual([]);
  });
});
