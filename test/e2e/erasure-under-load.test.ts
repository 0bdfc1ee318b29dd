import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { parseArgs, type CliCommand, type CliContext } from '#infra/local/cli/command.js';
import { callTool, fetchSwml } from '#infra/local/cli/calls.js';
import { eraseCommand, holdCommand } from '#infra/local/cli/commands/privacy.js';
import { openSession, type AgentSession } from '#infra/local/cli/session.js';
import { recordingStatusBody, simulatedCall } from '#infra/local/cli/signalwire-payloads.js';
import type { AgentClient } from '#infra/local/cli/agent-client.js';
import type { LocalStack } from '#infra/local/stack.js';
import { LEGAL_HOLD_EXPIRES_AT, SK } from '#shared/storage/layout.js';
import { captureLogs } from '#test/support/logs.js';
import { outsideClients, startE2eStack, tempDataDir } from './local-stack-harness.js';

// Issue #12 points 1 and 2, over real HTTP against the local stack: SignalWire's recording
// callbacks keep arriving from concurrent senders while an operator erases, erases by caller,
// holds and releases the same call through the CLI. What is left is read independently, with
// SDK clients built from endpoints.json alone (as awscli would), never through our stores.

const SENDERS = 4;
/** Each sender keeps sending until the operation has ended and it sent this many at least (bounded). */
const MIN_PER_SENDER = 3;
const MAX_PER_SENDER = 60;
/**
 * A sender's pause between two callbacks; the senders start a quarter of it apart, so callbacks
 * keep arriving through every phase of the operation. The server, the emulators, the senders
 * and the operator share this process's one thread: unpaced, four senders (each callback is ~35
 * storage requests) starved the operation, a release ran 10-15 s, and the hundreds of callbacks
 * sent meanwhile made this file cost 25 s of CPU without racing the operation any harder.
 */
const SENDER_PAUSE_MS = 400;
/** Callbacks each sender still sends once the operation has ended: some arrive after it for sure. */
const AFTER_OPERATION = 2;
const CALLER = '+15125550199';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let data: ReturnType<typeof tempDataDir>;
let stack: LocalStack;
let client: AgentClient;
let outside: ReturnType<typeof outsideClients>;
let logs: ReturnType<typeof captureLogs>;

const savedTranscription = process.env.TRANSCRIPTION;
beforeAll(async () => {
  // The local transcription pipeline would add a Transcribe job per stored recording (hundreds
  // here); transcripts under erasure and hold are covered in test/integration/transcription.test.ts.
  process.env.TRANSCRIPTION = 'off';
  data = tempDataDir();
  ({ stack, client } = await startE2eStack(data.dir));
  outside = outsideClients(stack.endpoints);
  logs = captureLogs();
}, 60_000);
afterAll(async () => {
  logs.restore();
  await stack.stop();
  data.remove();
  if (savedTranscription === undefined) delete process.env.TRANSCRIPTION;
  else process.env.TRANSCRIPTION = savedTranscription;
});

/** A privacy command in-process, as `npx recording-agent <command>` runs it; its exit code and the JSON it prints. */
async function operator(command: CliCommand, argv: string[]): Promise<{ code: number; result: Record<string, unknown> }> {
  const out: string[] = [];
  let session: AgentSession | undefined;
  const context: CliContext = {
    out: (text) => void out.push(text),
    err: () => undefined,
    session: async () => (session ??= await openSession({ LOCAL_DATA_DIR: data.dir })),
  };
  try {
    const code = await command.run(parseArgs(argv, command.flags), context);
    return { code, result: JSON.parse(out.join('\n') || '{}') as Record<string, unknown> };
  } finally {
    await session?.close();
  }
}

/** A call that consented (SWML fetched, consent tool answered "yes"), by the given caller. */
async function consentedCall(from = CALLER): Promise<string> {
  const call = simulatedCall({ callId: randomUUID(), from });
  const swml = await fetchSwml(client, call);
  const reply = await callTool(client, swml, call, 'get_recording_consent', { response: 'yes' });
  expect(reply.status).toBe(200);
  return call.callId;
}

/** One finished-recording callback, retried on 503 as SignalWire would; its final status. */
async function finished(callId: string): Promise<string> {
  const body = recordingStatusBody(simulatedCall({ callId }), { recordingId: randomUUID(), state: 'finished' });
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const reply = await client.post(client.url('/recording-status'), body);
    if (reply.status !== 503) return `${reply.status} ${(reply.body as { status?: string } | undefined)?.status ?? ''}`;
    await sleep(25);
  }
  return 'gave up';
}

/**
 * SENDERS concurrent senders over the given calls while `operation` runs: each keeps sending
 * until the operation has ended (and a few more after it), at least MIN_PER_SENDER and at most
 * MAX_PER_SENDER callbacks; every final status.
 */
async function whileSending<T>(callIds: string[], operation: () => Promise<T>): Promise<{ result: T; statuses: string[] }> {
  let ended = false;
  const lanes = Array.from({ length: SENDERS }, async (_, lane) => {
    const statuses: string[] = [];
    let after = 0;
    await sleep((lane * SENDER_PAUSE_MS) / SENDERS);
    for (let i = 0; i < MAX_PER_SENDER && (i < MIN_PER_SENDER || after < AFTER_OPERATION); i += 1) {
      if (i > 0) await sleep(SENDER_PAUSE_MS);
      if (ended) after += 1;
      statuses.push(await finished(callIds[(lane + i) % callIds.length] as string));
    }
    return statuses;
  });
  await sleep(150);
  const result = await operation();
  ended = true;
  return { result, statuses: (await Promise.all(lanes)).flat() };
}

/** Every object key of the call, under any prefix (an outside listing of the whole bucket), once background work settled. */
async function keysOf(callId: string): Promise<string[]> {
  // Each stored recording also gets archived audio and a transcript from the local pipeline, after its callback answered.
  await stack.transcription.settle();
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await outside.s3.send(
      new ListObjectsV2Command({ Bucket: stack.endpoints.bucket, ...(token ? { ContinuationToken: token } : {}) }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? '').filter((key) => key.includes(callId)));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** Every item of the call's partition (an outside query of the table), once background work settled. */
async function itemsOf(callId: string): Promise<Record<string, unknown>[]> {
  await stack.transcription.settle();
  const page = await DynamoDBDocumentClient.from(outside.dynamodb).send(
    new QueryCommand({
      TableName: stack.endpoints.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CALL#${callId}` },
      ConsistentRead: true,
    }),
  );
  return page.Items ?? [];
}

/** The recordings' metadata documents among the keys (audio and transcripts sit beside them). */
const metadataOf = (keys: string[]): string[] => keys.filter((key) => key.endsWith('.json') && !key.endsWith('.transcript.json'));

/** What erasure leaves: the tombstone, and the gate item closed for good without the caller's hash. */
async function expectOnlyTombstone(callId: string): Promise<void> {
  expect(await keysOf(callId)).toEqual([]);
  const items = await itemsOf(callId);
  expect(items.map((i) => i.sk)).toEqual([SK.erasedTombstone, SK.guard]);
  const gate = items.find((i) => i.sk === SK.guard);
  expect(gate).toMatchObject({ erasure: 'erased' });
  expect(gate?.callerHash).toBeUndefined();
}

describe('erasure, hold and release under concurrent webhooks, over HTTP (issue #12)', () => {
  it('erase --call-id while four senders deliver recordings: erased means nothing but the tombstone remains', async () => {
    const callId = await consentedCall();
    for (let i = 0; i < 10; i += 1) expect(await finished(callId)).toBe('200 stored');

    const { result, statuses } = await whileSending([callId], () => operator(eraseCommand, ['--call-id', callId]));

    expect(result.code).toBe(0);
    expect(result.result).toMatchObject({ status: 'erased' });
    // Each callback either landed before the erasure began (and was erased with the rest) or was discarded.
    expect(new Set(statuses)).toEqual(new Set(statuses.filter((s) => s === '200 stored' || s === '200 discarded_erased')));
    expect(statuses).toContain('200 discarded_erased');
    await expectOnlyTombstone(callId);
    // Later callbacks change nothing.
    expect(await finished(callId)).toBe('200 discarded_erased');
    await expectOnlyTombstone(callId);
  }, 60_000);

  it('erase --caller while senders deliver to both of the caller’s calls: both erased, another caller untouched', async () => {
    const caller = '+15125550177';
    const [first, second, other] = [
      await consentedCall(caller),
      await consentedCall(caller),
      await consentedCall('+15125550166'),
    ];
    for (const callId of [first, second, other]) expect(await finished(callId)).toBe('200 stored');
    const otherKeys = await keysOf(other);

    const { result } = await whileSending([first, second], () => operator(eraseCommand, ['--caller', caller]));

    expect(result.code).toBe(0);
    const calls = (result.result.calls ?? []) as Array<{ callId: string; status: string }>;
    expect(calls.map((c) => [c.callId, c.status]).sort()).toEqual(
      [
        [first, 'erased'],
        [second, 'erased'],
      ].sort(),
    );
    await expectOnlyTombstone(first);
    await expectOnlyTombstone(second);
    expect(await keysOf(other)).toEqual(otherKeys);
    // Nothing of the caller is left to find.
    expect((await operator(eraseCommand, ['--caller', caller])).result).toMatchObject({ calls: [] });
  }, 60_000);

  it('hold, then release, while senders deliver: everything held, then nothing left under legal-hold/ and every item expiring again', async () => {
    const callId = await consentedCall();
    for (let i = 0; i < 5; i += 1) expect(await finished(callId)).toBe('200 stored');

    const held = await whileSending([callId], () => operator(holdCommand, ['--call-id', callId, '--reason', 'case-2026-7']));
    expect(held.result).toMatchObject({ code: 0, result: { status: 'held' } });
    expect(held.statuses.every((s) => s === '200 stored')).toBe(true);
    const keys = await keysOf(callId);
    expect(metadataOf(keys).length).toBeGreaterThan(5);
    expect(keys.filter((key) => !key.startsWith(`legal-hold/${callId}/`))).toEqual([]);
    for (const item of await itemsOf(callId)) {
      if (item.sk !== SK.legalHold) expect([item.sk, item.expiresAt]).toEqual([item.sk, LEGAL_HOLD_EXPIRES_AT]);
    }

    const released = await whileSending([callId], () =>
      operator(holdCommand, ['--call-id', callId, '--release', '--reason', 'case-closed']),
    );
    expect(released.result).toMatchObject({ code: 0, result: { status: 'released' } });
    expect(released.statuses.every((s) => s === '200 stored')).toBe(true);
    const after = await keysOf(callId);
    expect(after.filter((key) => key.startsWith('legal-hold/'))).toEqual([]);
    expect(metadataOf(after).length).toBe(metadataOf(keys).length + released.statuses.length);
    const items = await itemsOf(callId);
    expect(items.map((i) => i.sk)).not.toContain(SK.legalHold);
    for (const item of items) expect([item.sk, item.expiresAt === LEGAL_HOLD_EXPIRES_AT]).toEqual([item.sk, false]);
  }, 90_000);

  it('two operators on one call never interleave: a hold racing an erasure ends held or erased, never half of each', async () => {
    for (let round = 0; round < 3; round += 1) {
      const callId = await consentedCall();
      for (let i = 0; i < 3; i += 1) expect(await finished(callId)).toBe('200 stored');
      const [hold, erase] = await Promise.all([
        operator(holdCommand, ['--call-id', callId, '--reason', 'case-2026-8']),
        operator(eraseCommand, ['--call-id', callId]),
      ]);
      const keys = await keysOf(callId);
      if (erase.result.status === 'erased') {
        expect(hold.code).not.toBe(0); // refused: erased, or busy while the erasure ran
        await expectOnlyTombstone(callId);
      } else {
        expect(hold.result).toMatchObject({ status: 'held' });
        expect(erase.code).not.toBe(0); // refused: under legal hold, or busy while the hold ran
        expect(metadataOf(keys).length).toBe(3);
        expect(keys.every((key) => key.startsWith(`legal-hold/${callId}/`))).toBe(true);
      }
    }
  }, 90_000);
});
