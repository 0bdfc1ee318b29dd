import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AgentClient } from '#infra/local/cli/agent-client.js';
import type { LocalStack } from '#infra/local/stack.js';
import { callTool, fetchSwml } from '#infra/local/cli/calls.js';
import { recordingStatusBody, simulatedCall } from '#infra/local/cli/signalwire-payloads.js';
import { recordingDeps } from '#shared/recordings/http.js';
import { InProcessTranscriptionQueue } from '#shared/recordings/transcription-queue.js';
import { outsideClients, startE2eStack, tempDataDir } from './local-stack-harness.js';

/**
 * Issue #5: SignalWire retries and duplicates status callbacks. Over HTTP against the local
 * server: 100 sequential replays plus 20 concurrent duplicates of one finished callback store one
 * S3 object, one audit event and one transcription message. The queue here is the in-process
 * implementation (no SQS emulator exists); in AWS the same interface is backed by SQS.
 */
describe('recording webhook replays against the local server', () => {
  let stack: LocalStack;
  let client: AgentClient;
  let remove: () => void;
  const call = simulatedCall({ from: '+12145550100' });

  beforeAll(async () => {
    const data = tempDataDir();
    remove = data.remove;
    ({ stack, client } = await startE2eStack(data.dir));
    const document = await fetchSwml(client, call);
    expect((await callTool(client, document, call, 'get_recording_consent', { response: 'yes' })).status).toBe(200);
  });
  afterAll(async () => {
    await stack.stop();
    remove();
  });

  it('stores exactly one object, one audit event and one queue message', async () => {
    const body = recordingStatusBody(call);
    const statuses: number[] = [];
    for (let i = 0; i < 100; i += 1) statuses.push((await client.post(client.url('/recording-status'), body)).status);
    const concurrent = await Promise.all(Array.from({ length: 20 }, () => client.post(client.url('/recording-status'), body)));
    statuses.push(...concurrent.map((r) => r.status));
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(100);

    const { s3, dynamodb } = outsideClients(stack.endpoints);
    const objects = await s3.send(
      new ListObjectsV2Command({ Bucket: stack.endpoints.bucket, Prefix: `recordings/${call.callId}/` }),
    );
    expect(objects.Contents?.filter((o) => o.Key?.endsWith('.json'))).toHaveLength(1);

    const events = await dynamodb.send(
      new QueryCommand({
        TableName: stack.endpoints.table,
        KeyConditionExpression: 'pk = :pk and begins_with(sk, :ev)',
        ExpressionAttributeValues: { ':pk': { S: `CALL#${call.callId}` }, ':ev': { S: 'EVENT#' } },
      }),
    );
    expect(events.Items?.filter((i) => i.type?.S === 'recording_stored')).toHaveLength(1);

    const queue = recordingDeps().queue;
    expect(queue).toBeInstanceOf(InProcessTranscriptionQueue);
    expect((queue as InProcessTranscriptionQueue).messages.filter((m) => m.callId === call.callId)).toHaveLength(1);
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
    expect(objects.Contents?.map((o) => o.Key).sort()).toEqual(
      segments.map((id) => `recordings/${second.callId}/${id}.json`).sort(),
    );
  });
});
