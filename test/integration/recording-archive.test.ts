import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseConfig } from '#shared/config.js';
import { archiveRecordingAudio, archiveSettings, ArchiveError, type ArchiveDeps } from '#shared/recordings/audio-archive.js';
import { archiveWorkerCore } from '#shared/recordings/archive-worker-core.js';
import { buildMetadata } from '#shared/recordings/metadata.js';
import { S3RecordingStore } from '#shared/recordings/recording-store.js';
import { captureLogs } from '#test/support/logs.js';
import { eraseCall } from '#shared/privacy/erase.js';
import { setLegalHold } from '#shared/privacy/legal-hold.js';
import { SK } from '#shared/storage/layout.js';
import { testPrivacyDeps } from '#test/support/privacy-seed.js';
import { storedView } from '#test/support/stored-view.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';

// Integration level: S3RecordingStore on s3rver, and a local HTTP server standing in for
// SignalWire's recording download (basic auth project_id:api_token, a small "mp3").

const PROJECT = 'project-123';
const TOKEN = 'PTsecret-token';
const AUDIO = Buffer.from('ID3\u0003fake-mp3-frames-'.repeat(64));

let storage: TestStorage;
let view: ReturnType<typeof storedView>;
let server: Server;
let base: string;
const requests: IncomingMessage[] = [];

beforeAll(async () => {
  storage = await startTestStorage();
  view = storedView(storage);
  server = createServer((req, res) => {
    requests.push(req);
    const expected = `Basic ${Buffer.from(`${PROJECT}:${TOKEN}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401).end();
      return;
    }
    if (req.url?.includes('/missing/')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(AUDIO.length) }).end(AUDIO);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await storage.stop();
});
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  requests.length = 0;
  logs = captureLogs();
});
afterEach(() => logs.restore());

async function storedRecording(
  path = 'api/v1/recordings',
): Promise<{ callId: string; recordingId: string; store: S3RecordingStore }> {
  const store = new S3RecordingStore();
  const callId = randomUUID();
  const recordingId = randomUUID();
  await store.put(
    buildMetadata(
      {
        callId,
        recordingId,
        controlId: 'main',
        state: 'finished',
        format: 'mp3',
        url: `${base}/${path}/${recordingId}/download`,
        shape: 'signalwire',
      },
      'missing',
      new Date(),
      { stereo: true, retentionDays: 90 },
    ),
  );
  return { callId, recordingId, store };
}

const deps = (store: S3RecordingStore, overrides: Partial<ArchiveDeps> = {}): ArchiveDeps => ({
  metadata: store,
  gate: dynamoWriteGate(),
  credentials: { projectId: PROJECT, apiToken: TOKEN },
  allowedHosts: ['127.0.0.1'],
  ...overrides,
});

describe('audio archive (optional, with SignalWire project credentials)', () => {
  it('is enabled only when project id and API token are configured, for SignalWire hosts', () => {
    expect(archiveSettings(parseConfig({}))).toBeUndefined();
    const settings = archiveSettings(
      parseConfig({
        SIGNALWIRE_PROJECT_ID: PROJECT,
        SIGNALWIRE_API_TOKEN: TOKEN,
        SIGNALWIRE_SPACE_URL: 'https://acme.signalwire.com',
      }),
    );
    expect(settings?.allowedHosts).toEqual(['acme.signalwire.com', '.signalwire.com']);
  });

  it('downloads the audio with basic auth into the bucket next to its metadata, once', async () => {
    // Prepare
    const { callId, recordingId, store } = await storedRecording();
    const job = { callId, recordingId, metadataKey: `recordings/${callId}/${recordingId}.json` };
    // Act
    const first = await archiveRecordingAudio(job, deps(store));
    const second = await archiveRecordingAudio(job, deps(store));
    // Assess
    const key = `recordings/${callId}/${recordingId}.mp3`;
    expect(first).toEqual({ status: 'archived', key, bytes: AUDIO.length });
    expect(second).toEqual({ status: 'already_archived', key });
    expect(requests).toHaveLength(1);
    const s3 = new S3Client({ forcePathStyle: true });
    const got = await s3.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }));
    expect(Buffer.from(await (got.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array()))).equals(AUDIO)).toBe(true);
    s3.destroy();
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('never sends the credentials to a host that is not SignalWire', async () => {
    const { callId, recordingId, store } = await storedRecording();
    const job = { callId, recordingId, metadataKey: '' };
    await expect(archiveRecordingAudio(job, deps(store, { allowedHosts: ['.signalwire.com'] }))).rejects.toBeInstanceOf(
      ArchiveError,
    );
    expect(requests).toHaveLength(0);
  });

  it('fails (for the queue to retry / dead-letter) on a download error or an oversized file, storing nothing', async () => {
    const missing = await storedRecording('missing');
    await expect(archiveRecordingAudio({ ...missing, metadataKey: '' }, deps(missing.store))).rejects.toThrow(/404/);
    const big = await storedRecording();
    await expect(archiveRecordingAudio({ ...big, metadataKey: '' }, deps(big.store, { maxBytes: 100 }))).rejects.toThrow(
      /larger/,
    );
    expect(await big.store.exists(`recordings/${big.callId}/${big.recordingId}.mp3`)).toBe(false);
    const denied = await storedRecording();
    const wrong = deps(denied.store, { credentials: { projectId: PROJECT, apiToken: 'wrong' } });
    await expect(archiveRecordingAudio({ ...denied, metadataKey: '' }, wrong)).rejects.toThrow(/401/);
  });

  it('skips a recording whose metadata was erased after the job was queued', async () => {
    const { callId, recordingId, store } = await storedRecording();
    await store.deleteForCall(callId);
    expect(await archiveRecordingAudio({ callId, recordingId, metadataKey: '' }, deps(store))).toEqual({ status: 'no_metadata' });
    expect(requests).toHaveLength(0);
    expect(await store.listForCall(callId)).toEqual([]);
  });
});

describe('archive jobs respect erasure and legal hold (issue #12 point 5)', () => {
  const request = { reason: 'case-2025-17', requestedBy: 'legal' };
  /** A fetch that runs `meanwhile` after SignalWire answered and before the worker puts the audio. */
  const during =
    (meanwhile: () => Promise<unknown>): typeof fetch =>
    async (input, init) => {
      const response = await fetch(input, init);
      await meanwhile();
      return response;
    };
  const job = (r: { callId: string; recordingId: string }) => ({
    ...r,
    metadataKey: `recordings/${r.callId}/${r.recordingId}.json`,
  });

  it('a held call: the job finds the moved metadata and archives the audio under legal-hold/, untagged', async () => {
    const recording = await storedRecording();
    await setLegalHold(recording.callId, true, request, testPrivacyDeps());
    const result = await archiveRecordingAudio(job(recording), deps(recording.store));
    const held = `legal-hold/${recording.callId}/recordings/${recording.recordingId}.mp3`;
    expect(result).toEqual({ status: 'archived', key: held, bytes: AUDIO.length });
    expect(await view.keysUnder(`recordings/${recording.callId}/`)).toEqual([]);
    expect(await view.tags(held)).toEqual([]);
    // A replay finds it where it is.
    expect(await archiveRecordingAudio(job(recording), deps(recording.store))).toEqual({ status: 'already_archived', key: held });
  });

  it('a hold placed while the audio downloads: the put goes under legal-hold/, nothing stays under recordings/', async () => {
    const recording = await storedRecording();
    const fetchImpl = during(() => setLegalHold(recording.callId, true, request, testPrivacyDeps()));
    const result = await archiveRecordingAudio(job(recording), deps(recording.store, { fetchImpl }));
    expect(result).toMatchObject({
      status: 'archived',
      key: `legal-hold/${recording.callId}/recordings/${recording.recordingId}.mp3`,
    });
    expect(await view.keysUnder(`recordings/${recording.callId}/`)).toEqual([]);
  });

  it('an erasure while the audio downloads: no audio is written back, only the tombstone and the closed gate remain', async () => {
    const recording = await storedRecording();
    let erased: unknown;
    const fetchImpl = during(async () => {
      erased = await eraseCall(recording.callId, { reason: 'data-subject-request', requestedBy: 'dpo' }, testPrivacyDeps());
    });
    const result = await archiveRecordingAudio(job(recording), deps(recording.store, { fetchImpl }));
    expect(erased).toMatchObject({ status: 'erased' });
    expect(result).toEqual({ status: 'discarded_erased' });
    expect(await view.allKeys(recording.callId)).toEqual([]);
    expect((await view.items(recording.callId)).map((i) => i.sk)).toEqual([SK.erasedTombstone, SK.guard]);
  });

  it('a release while the audio downloads: the put goes back under recordings/, tagged for retention', async () => {
    const recording = await storedRecording();
    await setLegalHold(recording.callId, true, request, testPrivacyDeps());
    const fetchImpl = during(() => setLegalHold(recording.callId, false, request, testPrivacyDeps()));
    const result = await archiveRecordingAudio(job(recording), deps(recording.store, { fetchImpl }));
    const key = `recordings/${recording.callId}/${recording.recordingId}.mp3`;
    expect(result).toMatchObject({ status: 'archived', key });
    expect(await view.keysUnder(`legal-hold/${recording.callId}/`)).toEqual([]);
    expect(await view.tags(key)).toEqual(['retention=standard']);
  });
});

describe('archive worker (SQS batch core)', () => {
  const sqsEvent = (bodies: string[]) =>
    ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) }) as unknown as import('aws-lambda').SQSEvent;

  it('archives good jobs, reports failed ones for retry, drops malformed ones', async () => {
    const good = await storedRecording();
    const bad = await storedRecording('missing');
    const response = await archiveWorkerCore(
      sqsEvent([
        JSON.stringify({ callId: good.callId, recordingId: good.recordingId, metadataKey: 'k' }),
        JSON.stringify({ callId: bad.callId, recordingId: bad.recordingId, metadataKey: 'k' }),
        '{"callId":"../x"}',
      ]),
      { metadata: good.store, credentials: { projectId: PROJECT, apiToken: TOKEN }, allowedHosts: ['127.0.0.1'] },
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(await good.store.exists(`recordings/${good.callId}/${good.recordingId}.mp3`)).toBe(true);
  });

  it('answers a batch whose every job failed with every message (no throw), and forgets it by the next batch', async () => {
    const bad = await storedRecording('missing');
    const worse = await storedRecording('missing');
    const workerDeps = { metadata: bad.store, credentials: { projectId: PROJECT, apiToken: TOKEN }, allowedHosts: ['127.0.0.1'] };
    const failed = await archiveWorkerCore(
      sqsEvent([
        JSON.stringify({ callId: bad.callId, recordingId: bad.recordingId, metadataKey: 'k' }),
        JSON.stringify({ callId: worse.callId, recordingId: worse.recordingId, metadataKey: 'k' }),
      ]),
      workerDeps,
    );
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }]);
    // Both jobs were tried, in the batch's order.
    expect(requests.map((r) => r.url)).toEqual([
      `/missing/${bad.recordingId}/download`,
      `/missing/${worse.recordingId}/download`,
    ]);
    expect(logs.text()).toContain('archive job failed; will be retried');

    const good = await storedRecording();
    const next = await archiveWorkerCore(
      sqsEvent([JSON.stringify({ callId: good.callId, recordingId: good.recordingId, metadataKey: 'k' })]),
      { ...workerDeps, metadata: good.store },
    );
    expect(next).toEqual({ batchItemFailures: [] });
  });

  it('drops a malformed job: reported done, so the queue does not retry what cannot succeed', async () => {
    const dropped = await archiveWorkerCore(sqsEvent(['not json', '{"callId":"../x"}']), {
      credentials: { projectId: PROJECT, apiToken: TOKEN },
      allowedHosts: ['127.0.0.1'],
    });
    expect(dropped).toEqual({ batchItemFailures: [] });
    expect(logs.text()).toContain('malformed archive job dropped');
  });
});
