import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GetObjectTaggingCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoIngestLedger } from '#shared/recordings/ingest-ledger-store.js';
import { buildMetadata, type RecordingMetadata } from '#shared/recordings/metadata.js';
import { S3RecordingStore } from '#shared/recordings/recording-store.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';

// Integration level: the S3 metadata store and the DynamoDB ingest ledger through the real AWS
// SDK against s3rver and dynalite.

let storage: TestStorage;
let s3Direct: S3Client;
let ddbDirect: DynamoDBClient;

beforeAll(async () => {
  storage = await startTestStorage();
  s3Direct = new S3Client({ forcePathStyle: true });
  ddbDirect = new DynamoDBClient({});
});
afterAll(async () => {
  s3Direct.destroy();
  ddbDirect.destroy();
  await storage.stop();
});

function doc(callId: string, recordingId = randomUUID()): RecordingMetadata {
  return buildMetadata(
    {
      callId,
      recordingId,
      controlId: 'main',
      state: 'finished',
      url: `https://example.signalwire.com/api/v1/recordings/${recordingId}/download`,
      shape: 'signalwire',
    },
    'missing',
    new Date('2026-03-01T00:00:00.000Z'),
    { stereo: false, retentionDays: 30 },
  );
}

describe('S3RecordingStore', () => {
  it('writes encrypted (SSE AES256), tagged objects and reads them back', async () => {
    // Prepare: record what the SDK sends, since s3rver does not report SSE back.
    const client = new S3Client({ forcePathStyle: true });
    const sent: Array<Record<string, unknown>> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ command: context.commandName, ...(args.input as Record<string, unknown>) });
        return next(args);
      },
      { step: 'initialize' },
    );
    const store = new S3RecordingStore(client, storage.bucket);
    const callId = randomUUID();
    const metadata = doc(callId);
    // Act
    const key = await store.put(metadata);
    await store.put(metadata); // idempotent
    // Assess
    expect(key).toBe(`recordings/${callId}/${metadata.recordingId}.json`);
    expect(sent.find((s) => s.command === 'PutObjectCommand')).toMatchObject({
      ServerSideEncryption: 'AES256',
      ContentType: 'application/json',
    });
    const tags = await s3Direct.send(new GetObjectTaggingCommand({ Bucket: storage.bucket, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'retention', Value: 'standard' }]);
    expect(await store.get(callId, metadata.recordingId)).toEqual(metadata);
    const listed = await s3Direct.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: `recordings/${callId}/` }));
    expect(listed.KeyCount).toBe(1);
    client.destroy();
  });

  it('lists and deletes one call only (metadata and archived audio), never its neighbours', async () => {
    const store = new S3RecordingStore();
    const [callA, callB] = [randomUUID(), randomUUID()];
    const a1 = doc(callA);
    const a2 = doc(callA);
    await store.put(a1);
    await store.put(a2);
    await store.putAudio(`recordings/${callA}/${a1.recordingId}.mp3`, new Uint8Array([1, 2, 3]), 'audio/mpeg');
    await store.put(doc(callB));
    expect((await store.listForCall(callA)).map((d) => d.recordingId).sort()).toEqual([a1.recordingId, a2.recordingId].sort());
    expect(await store.deleteForCall(callA)).toBe(3);
    expect(await store.listForCall(callA)).toEqual([]);
    expect(await store.get(callA, a1.recordingId)).toBeUndefined();
    expect(await store.listForCall(callB)).toHaveLength(1);
  });
});

describe('DynamoIngestLedger', () => {
  const request = (owner: string, now: Date, leaseMs = 30_000) => ({ owner, now, leaseMs, expiresAt: 1_900_000_000 });

  it('lets one claimant in, reports in_flight to others, completed after completion', async () => {
    const ledger = new DynamoIngestLedger();
    const [callId, id] = [randomUUID(), randomUUID()];
    const now = new Date('2026-03-01T00:00:00.000Z');
    const first = await ledger.claim(callId, id, request('a', now));
    expect(first.status).toBe('claimed');
    expect(first.entry).toMatchObject({
      completed: false,
      attempts: 1,
      receivedAt: now.toISOString(),
      steps: { metadataStored: false, auditWritten: false, queued: false },
    });
    expect((await ledger.claim(callId, id, request('b', now))).status).toBe('in_flight');
    await ledger.markStep(callId, id, 'a', 'metadataStored', { consent: 'granted', metadataKey: 'k' });
    await ledger.complete(callId, id, 'a');
    const done = await ledger.claim(callId, id, request('c', now));
    expect(done.status).toBe('completed');
    expect(done.entry).toMatchObject({ consent: 'granted', metadataKey: 'k', steps: { metadataStored: true } });
    expect(done.entry.leaseOwner).toBeUndefined();
  });

  it('is one item pk=CALL#<id>, sk=RECORDING#<id> carrying expiresAt (TTL) and the step flags', async () => {
    const ledger = new DynamoIngestLedger();
    const [callId, id] = [randomUUID(), randomUUID()];
    await ledger.claim(callId, id, request('a', new Date()));
    const item = await ddbDirect.send(
      new GetItemCommand({ TableName: storage.table, Key: { pk: { S: `CALL#${callId}` }, sk: { S: `RECORDING#${id}` } } }),
    );
    expect(item.Item?.expiresAt?.N).toBe('1900000000');
    expect(item.Item?.queued?.BOOL).toBe(false);
  });

  it('keeps receivedAt from the first claim, lets a lapsed lease be taken over, and fences the old owner', async () => {
    const ledger = new DynamoIngestLedger();
    const [callId, id] = [randomUUID(), randomUUID()];
    const t0 = new Date('2026-03-01T00:00:00.000Z');
    await ledger.claim(callId, id, request('old', t0, 1000));
    const later = new Date(t0.getTime() + 5000);
    const takeover = await ledger.claim(callId, id, request('new', later));
    expect(takeover.status).toBe('claimed');
    expect(takeover.entry.receivedAt).toBe(t0.toISOString());
    expect(takeover.entry.attempts).toBe(2);
    await expect(ledger.markStep(callId, id, 'old', 'queued')).rejects.toThrow(/lease lost/);
    await ledger.release(callId, id, 'old'); // no-op for a non-owner
    expect((await ledger.get(callId, id))?.leaseOwner).toBe('new');
    await ledger.release(callId, id, 'new');
    expect((await ledger.claim(callId, id, request('third', later))).status).toBe('claimed');
  });
});
