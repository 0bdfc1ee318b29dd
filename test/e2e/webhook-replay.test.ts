import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AgentClient } from '#infra/local/cli/agent-client.js';
import type { LocalStack } from '#infra/local/stack.js';
import { callTool, fetchSwml } from '#infra/local/cli/calls.js';
import { recordingStatusBody, simulatedCall, type SimulatedCall } from '#infra/local/cli/signalwire-payloads.js';
import { recordingDeps } from '#shared/recordings/recording-status-core.js';
import type { ClaimResult } from '#shared/recordings/ingest-ledger.js';
import { InProcessJobQueue } from '#shared/recordings/job-queue.js';
import { outsideClients, startE2eStack, tempDataDir } from './local-stack-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A barrier the gated requests wait at; opens when `count` arrived, or after `timeoutMs` regardless. */
function barrier(count: number, timeoutMs: number): { arrive: () => Promise<void> } {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const timer = setTimeout(() => open(), timeoutMs);
  opened.then(() => clearTimeout(timer));
  return {
    arrive() {
      arrived += 1;
      if (arrived >= count) open();
      return opened;
    },
  };
}

/**
 * Issue #5: SignalWire retries and duplicates status callbacks. Over HTTP against the local
 * server: 100 sequential replays of one finished callback, and a concurrent burst on a recording
 * never seen before (racing on the ingest ledger's in-flight lease), each store one S3 object,
 * one audit event and one transcription message. The queue here is the in-process
 * implementation (no SQS emulator exists); in AWS the same interface is backed by SQS.
 */
describe('recording webhook replays against the local server', () => {
  let stack: LocalStack;
  let client: AgentClient;
  let remove: () => void;
  const call = simulatedCall({ from: '+12145550100' });

  /** A call whose caller said yes, ready for recording callbacks. */
  async function consentedCall(c: SimulatedCall): Promise<void> {
    const document = await fetchSwml(client, c);
    expect((await callTool(client, document, c, 'get_recording_consent', { response: 'yes' })).status).toBe(200);
  }

  /** What the outside sees of one call: its metadata objects, `recording_stored` events and queue jobs. */
  async function storedFor(callId: string): Promise<{ objects: string[]; auditEvents: number; queueJobs: number }> {
    const { s3, dynamodb } = outsideClients(stack.endpoints);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.endpoints.bucket, Prefix: `recordings/${callId}/` }));
    const events = await dynamodb.send(
      new QueryCommand({
        TableName: stack.endpoints.table,
        KeyConditionExpression: 'pk = :pk and begins_with(sk, :ev)',
        ExpressionAttributeValues: { ':pk': { S: `CALL#${callId}` }, ':ev': { S: 'EVENT#' } },
      }),
    );
    const queue = recordingDeps().queue;
    expect(queue).toBeInstanceOf(InProcessJobQueue);
    return {
      // Metadata documents only: the local pipeline adds audio and a transcript beside each.
      objects: (listed.Contents ?? [])
        .map((o) => o.Key ?? '')
        .filter((k) => k.endsWith('.json') && !k.endsWith('.transcript.json')),
      auditEvents: (events.Items ?? []).filter((i) => i.type?.S === 'recording_stored').length,
      queueJobs: (queue as InProcessJobQueue).messages.filter((m) => m.callId === callId).length,
    };
  }

  beforeAll(async () => {
    const data = tempDataDir();
    remove = data.remove;
    ({ stack, client } = await startE2eStack(data.dir));
    await consentedCall(call);
  });
  afterAll(async () => {
    await stack.stop();
    remove();
  });

  it('100 sequential replays store exactly one object, one audit event and one queue message', async () => {
    const body = recordingStatusBody(call);
    const replies = [];
    for (let i = 0; i < 100; i += 1) replies.push(await client.post(client.url('/recording-status'), body));
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    expect(replies.map((r) => (r.body as { status: string }).status)).toEqual([
      'stored',
      ...replies.slice(1).map(() => 'duplicate'),
    ]);

    const stored = await storedFor(call.callId);
    expect(stored.objects).toHaveLength(1);
    expect(stored.auditEvents).toBe(1);
    expect(stored.queueJobs).toBe(1);
  });

  it('a concurrent burst on a fresh recording races on the in-flight lease and still stores it once', async () => {
    const BURST = 20;
    const fresh = simulatedCall({ from: '+12145550100' });
    await consentedCall(fresh);
    const recordingId = randomUUID();
    const body = recordingStatusBody(fresh, { recordingId });

    // The server runs in this process: watch (and pace) the very ledger its handler uses. The
    // first BURST claims of this recording wait for one another, so they reach the ledger
    // together; the winner's first step waits until every one of them has its answer and a
    // loser has given up waiting (503). So the race is certain, not a matter of timing: one claim
    // wins, the others find it in flight, and retries meet it both in flight and completed.
    const ledger = recordingDeps().ledger;
    const claim = ledger.claim.bind(ledger);
    const markStep = ledger.markStep.bind(ledger);
    const together = barrier(BURST, 10_000);
    let gated = 0;
    const firstRound: Array<Promise<ClaimResult>> = [];
    const claimSpy = vi.spyOn(ledger, 'claim').mockImplementation(async (callId, ledgerId, request) => {
      if (callId !== fresh.callId || gated >= BURST) return claim(callId, ledgerId, request);
      gated += 1;
      await together.arrive();
      const result = claim(callId, ledgerId, request);
      firstRound.push(result);
      return result;
    });
    let sawRetryable: () => void = () => undefined;
    const retryable = new Promise<void>((resolve) => {
      sawRetryable = resolve;
    });
    const markSpy = vi.spyOn(ledger, 'markStep').mockImplementation(async (callId, ...rest) => {
      if (callId === fresh.callId) await Promise.race([Promise.all([Promise.allSettled(firstRound), retryable]), sleep(10_000)]);
      return markStep(callId, ...rest);
    });

    const replies: Array<{ status: number; outcome?: string }> = [];
    try {
      // Every request retries a 503 (as SignalWire does) until it gets a final answer.
      await Promise.all(
        Array.from({ length: BURST }, async () => {
          for (let attempt = 0; attempt < 20; attempt += 1) {
            const reply = await client.post(client.url('/recording-status'), body);
            const answer = reply.body as { status?: string; error?: { code?: string } } | undefined;
            replies.push({ status: reply.status, outcome: answer?.status ?? answer?.error?.code });
            if (reply.status !== 503) return;
            sawRetryable();
            await sleep(100);
          }
        }),
      );
    } finally {
      claimSpy.mockRestore();
      markSpy.mockRestore();
    }

    const firstClaims = (await Promise.all(firstRound)).map((r) => r.status).sort();
    expect(firstClaims).toEqual(['claimed', ...Array.from({ length: BURST - 1 }, () => 'in_flight' as const)]);

    // Every answer is a 200 or the retryable 503 (and some were 503s); every request ended in a
    // 200; exactly one of them stored.
    expect(replies.every((r) => r.status === 200 || (r.status === 503 && r.outcome === 'unavailable'))).toBe(true);
    expect(replies.some((r) => r.status === 503)).toBe(true);
    const finals = replies.filter((r) => r.status === 200);
    expect(finals).toHaveLength(BURST);
    expect(finals.map((r) => r.outcome).sort()).toEqual([...Array.from({ length: BURST - 1 }, () => 'duplicate'), 'stored']);

    const stored = await storedFor(fresh.callId);
    expect(stored.objects).toEqual([`recordings/${fresh.callId}/${recordingId}.json`]);
    expect(stored.auditEvents).toBe(1);
    expect(stored.queueJobs).toBe(1);
    // Exactly one claim ever succeeded (a takeover after a lapsed lease would count a second).
    const entry = await ledger.get(fresh.callId, recordingId);
    expect(entry).toMatchObject({ completed: true, attempts: 1 });
  });

  it('two segments of one call (pause/resume) interleaved with progress callbacks are two recordings', async () => {
    const second = simulatedCall({ from: '+12145550100' });
    const document = await fetchSwml(client, second);
    await callTool(client, document, second, 'get_recording_consent', { response: 'yes' });
    const segments = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    const order = [
      recordingStatusBody(second, { state: 'recording', recordingId: segments[0] }),
      recordingStatusBody(second, { state: 'paused', recordingId: segments[0] }),
      recordingStatusBody(second, { state: 'finished', recordingId: segments[0] }),
      recordingStatusBody(second, { state: 'recording', recordingId: segments[1] }),
      recordingStatusBody(second, { state: 'finished', recordingId: segments[1] }),
      recordingStatusBody(second, { state: 'finished', recordingId: segments[0] }),
    ];
    for (const body of order) expect((await client.post(client.url('/recording-status'), body)).status).toBe(200);
    const { s3 } = outsideClients(stack.endpoints);
    const objects = await s3.send(
      new ListObjectsV2Command({ Bucket: stack.endpoints.bucket, Prefix: `recordings/${second.callId}/` }),
    );
    const metadata = (objects.Contents ?? [])
      .map((o) => o.Key ?? '')
      .filter((k) => k.endsWith('.json') && !k.endsWith('.transcript.json'));
    expect(metadata.sort()).toEqual(segments.map((id) => `recordings/${second.callId}/${id}.json`).sort());
  });
});
