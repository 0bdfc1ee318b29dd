import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { GetObjectTaggingCommand, ListObjectsV2Command, S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { handler } from '#functions/recording-status/handler.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import type { HttpResult } from '#shared/http/response.js';
import { recordingDeps } from '#shared/recordings/recording-status-core.js';
import { ingestRecordingWebhook, type IngestDeps } from '#shared/recordings/ingest.js';
import { DynamoIngestLedger } from '#shared/recordings/ingest-ledger-store.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import { S3RecordingStore } from '#shared/recordings/recording-store.js';
import { InProcessJobQueue } from '#shared/recordings/job-queue.js';
import { parseRecordingWebhook } from '#shared/recordings/webhook.js';
import { httpErrorOf } from '#shared/http/errors.js';
import { captureLogs } from '#test/support/logs.js';
import { apiEvent, lambdaContext } from '#test/support/signalwire.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';
import { resetInstance } from '#shared/instance.js';

// Integration level: the real DynamoConsentStore, S3RecordingStore and DynamoIngestLedger through
// the AWS SDK against dynalite + s3rver. The transcription queue is InProcessJobQueue
// (QUEUE_URL unset): no SQS emulator exists here.

/**
 * A TCP pass-through in front of an emulator that can be cut (every connection reset, new ones
 * refused) and restored: the SDK sees a real network fault, the data behind it survives.
 */
class FaultSwitch {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  down = false;

  constructor(private readonly target: URL) {}

  async start(): Promise<string> {
    this.server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let storage: TestStorage;
let dynamoSwitch: FaultSwitch;
let s3Switch: FaultSwitch;
/** Independent clients straight to the emulators (not through the switches) for assertions. */
let s3Direct: S3Client;
let ddbDirect: DynamoDBClient;

beforeAll(async () => {
  storage = await startTestStorage();
  dynamoSwitch = new FaultSwitch(new URL(storage.emulators.dynamodbEndpoint));
  s3Switch = new FaultSwitch(new URL(storage.emulators.s3Endpoint));
  process.env.AWS_ENDPOINT_URL_DYNAMODB = await dynamoSwitch.start();
  process.env.AWS_ENDPOINT_URL_S3 = await s3Switch.start();
  delete process.env.QUEUE_URL;
  resetInstance();
  s3Direct = new S3Client({ endpoint: storage.emulators.s3Endpoint, forcePathStyle: true });
  ddbDirect = new DynamoDBClient({ endpoint: storage.emulators.dynamodbEndpoint });
});

afterAll(async () => {
  s3Direct.destroy();
  ddbDirect.destroy();
  await dynamoSwitch.stop();
  await s3Switch.stop();
  await storage.stop();
});

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  dynamoSwitch.restore();
  s3Switch.restore();
  resetInstance();
  logs = captureLogs();
});
afterEach(() => logs.restore());

const newCall = (): string => randomUUID();
const recUrl = (id: string): string => `https://example.signalwire.com/api/v1/recordings/${id}/download`;

function finishedBody(callId: string, recordingId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_type: 'calling.call.record',
    event_channel: 'swml:test',
    timestamp: 1640000000.123,
    params: {
      call_id: callId,
      control_id: 'main',
      state: 'finished',
      record: { url: recUrl(recordingId), duration: 15.5, size: 248320, format: 'mp3' },
      ...extra,
    },
  };
}

function stateBody(callId: string, state: string): Record<string, unknown> {
  return { event_type: 'calling.call.record', params: { call_id: callId, control_id: 'main', state } };
}

async function post(body: unknown): Promise<HttpResult> {
  return handler(apiEvent({ path: '/recording-status', body }), lambdaContext('recording-status'));
}

async function grantConsent(callId: string): Promise<void> {
  await new DynamoConsentStore().setConsent(callId, 'granted', { category: 'affirmative:yes' });
}

async function objectKeys(callId: string): Promise<string[]> {
  const page = await s3Direct.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: `recordings/${callId}/` }));
  return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function storedAuditEvents(callId: string, recordingId: string): Promise<number> {
  const events = await new DynamoConsentStore().listEvents(callId);
  return events.filter((e) => e.type === 'recording_stored' && e.detail?.recordingId === recordingId).length;
}

function queueMessages(recordingId: string): number {
  const queue = recordingDeps().queue;
  if (!(queue instanceof InProcessJobQueue)) throw new Error('expected the in-process queue (QUEUE_URL unset)');
  return queue.messages.filter((m) => m.recordingId === recordingId).length;
}

async function assertExactlyOnce(callId: string, recordingId: string): Promise<void> {
  expect((await objectKeys(callId)).filter((k) => k.endsWith(`${recordingId}.json`))).toHaveLength(1);
  expect(await storedAuditEvents(callId, recordingId)).toBe(1);
  expect(queueMessages(recordingId)).toBe(1);
}

describe('recording-status handler against the emulators', () => {
  it('stores a finished recording as encrypted-at-rest, tagged JSON with the consent snapshot', async () => {
    // Prepare
    const callId = newCall();
    const recordingId = randomUUID();
    await grantConsent(callId);
    // Act
    const response = await post(finishedBody(callId, recordingId));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'stored', recording_id: recordingId });
    const key = `recordings/${callId}/${recordingId}.json`;
    expect(await objectKeys(callId)).toEqual([key]);
    const object = await s3Direct.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }));
    const doc = JSON.parse((await object.Body?.transformToString()) ?? '{}') as Record<string, unknown>;
    expect(doc).toMatchObject({
      callId,
      recordingId,
      controlId: 'main',
      url: recUrl(recordingId),
      durationSeconds: 15.5,
      sizeBytes: 248320,
      format: 'mp3',
      stereo: true,
      channels: { left: 'caller', right: 'agent' },
      consent: { state: 'granted' },
    });
    expect(Date.parse(String(doc.expiresAt)) - Date.parse(String(doc.receivedAt))).toBe(90 * 86_400_000);
    const tags = await s3Direct.send(new GetObjectTaggingCommand({ Bucket: storage.bucket, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'retention', Value: 'standard' }]);
    await assertExactlyOnce(callId, recordingId);
  });

  it('100 sequential replays of the same finished webhook → one object, one audit event, one queue message', async () => {
    const callId = newCall();
    const recordingId = randomUUID();
    await grantConsent(callId);
    const statuses: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      const response = await post(finishedBody(callId, recordingId));
      expect(response.statusCode).toBe(200);
      statuses.push((JSON.parse(response.body) as { status: string }).status);
    }
    expect(statuses.filter((s) => s === 'stored')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(99);
    await assertExactlyOnce(callId, recordingId);
  }, 60_000);

  it('20 concurrent duplicates → one stored; 503s are retried (as SignalWire does) until all are 200', async () => {
    const callId = newCall();
    const recordingId = randomUUID();
    await grantConsent(callId);
    let responses = await Promise.all(Array.from({ length: 20 }, () => post(finishedBody(callId, recordingId))));
    const statuses: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      // Any other status (with its body) is the failure itself: shown rather than a bare `false`.
      expect(
        responses.filter((r) => r.statusCode !== 200 && r.statusCode !== 503).map((r) => `${r.statusCode} ${r.body}`),
      ).toEqual([]);
      statuses.push(
        ...responses.filter((r) => r.statusCode === 200).map((r) => (JSON.parse(r.body) as { status: string }).status),
      );
      const retry = responses.filter((r) => r.statusCode === 503);
      if (retry.length === 0) break;
      responses = await Promise.all(retry.map(() => post(finishedBody(callId, recordingId))));
    }
    expect(statuses).toHaveLength(20);
    expect(statuses.filter((s) => s === 'stored')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(19);
    await assertExactlyOnce(callId, recordingId);
  }, 60_000);

  it('interleaved recording/paused/finished callbacks for two segments of one call → two recordings', async () => {
    const callId = newCall();
    const [first, second] = [randomUUID(), randomUUID()];
    await grantConsent(callId);
    const sequence = [
      stateBody(callId, 'recording'),
      stateBody(callId, 'paused'),
      finishedBody(callId, first),
      stateBody(callId, 'recording'), // resumed: record_call with the same control_id
      finishedBody(callId, first), // late duplicate of segment 1
      stateBody(callId, 'paused'),
      finishedBody(callId, second),
      { call_id: callId, recording_url: recUrl(second), duration: 3, status: 'completed' }, // simplified shape, same recording
    ];
    const statuses: string[] = [];
    for (const body of sequence) statuses.push((JSON.parse((await post(body)).body) as { status: string }).status);
    expect(statuses).toEqual([
      'acknowledged',
      'acknowledged',
      'stored',
      'acknowledged',
      'duplicate',
      'acknowledged',
      'stored',
      'duplicate',
    ]);
    expect(await objectKeys(callId)).toEqual(
      [`recordings/${callId}/${first}.json`, `recordings/${callId}/${second}.json`].sort(),
    );
    await assertExactlyOnce(callId, first);
    await assertExactlyOnce(callId, second);
  });

  it('no_input and error callbacks become one audit event each, however often they arrive', async () => {
    const callId = newCall();
    for (let i = 0; i < 3; i += 1) {
      expect((await post(stateBody(callId, 'no_input'))).statusCode).toBe(200);
      expect((await post(stateBody(callId, 'error'))).statusCode).toBe(200);
    }
    const events = await new DynamoConsentStore().listEvents(callId);
    expect(events.filter((e) => e.type === 'recording_no_input')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'recording_error')).toHaveLength(1);
    expect(await objectKeys(callId)).toEqual([]);
  });

  it('a malformed or hostile callback is a 400 and changes nothing', async () => {
    const callId = newCall();
    const response = await post({ call_id: '../../etc', recording_url: recUrl(randomUUID()), status: 'completed' });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'invalid_id' } });
    expect(await objectKeys(callId)).toEqual([]);
    const items = await ddbDirect.send(new ScanCommand({ TableName: storage.table }));
    expect((items.Items ?? []).some((i) => (i.pk?.S ?? '').includes('..'))).toBe(false);
  });
});

describe('poison values', () => {
  it.each([
    ['duration 1e200', { duration: 1e200 }],
    ['a 200-digit duration', { duration: '9'.repeat(200) }],
    ['a size of 1e300', { size: 1e300 }],
  ])('%s is a 400 that stores nothing, every time it is sent', async (_name, poison) => {
    const callId = newCall();
    await grantConsent(callId);
    const recordingId = randomUUID();
    const body = finishedBody(callId, recordingId);
    const params = body.params as { record: Record<string, unknown> };
    params.record = { ...params.record, ...poison };
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await post(body)).statusCode).toBe(400);
    expect(await objectKeys(callId)).toEqual([]);
    expect(await storedAuditEvents(callId, recordingId)).toBe(0);
  });
});

describe('fault injection: storage down → 503, back up → the retry completes, nothing lost or doubled', () => {
  it('both emulators unreachable → 503 without internals; restored → stored once', async () => {
    const callId = newCall();
    const recordingId = randomUUID();
    await grantConsent(callId);
    dynamoSwitch.cut();
    s3Switch.cut();
    const failed = await post(finishedBody(callId, recordingId));
    expect(failed.statusCode).toBe(503);
    expect(failed.body).not.toMatch(/ECONN|127\.0\.0\.1|stack/i);
    dynamoSwitch.restore();
    s3Switch.restore();
    const retried = await post(finishedBody(callId, recordingId));
    expect(retried.statusCode).toBe(200);
    expect(JSON.parse(retried.body)).toMatchObject({ status: 'stored' });
    await assertExactlyOnce(callId, recordingId);
  });

  it('S3 down after the claim → 503 (lease handed back); restored → stored once', async () => {
    const callId = newCall();
    const recordingId = randomUUID();
    await grantConsent(callId);
    s3Switch.cut();
    expect((await post(finishedBody(callId, recordingId))).statusCode).toBe(503);
    expect(await objectKeys(callId)).toEqual([]);
    s3Switch.restore();
    expect(JSON.parse((await post(finishedBody(callId, recordingId))).body)).toMatchObject({ status: 'stored' });
    await assertExactlyOnce(callId, recordingId);
  });

  /**
   * DynamoDB goes away at an exact point inside one request (right after a side effect, before
   * its ledger flag), so even the lease cannot be handed back. The retry is refused while the
   * lease lives, then completes only the missing steps once it lapses (clock injected).
   */
  async function dynamoDiesAfter(step: 'metadata' | 'audit'): Promise<void> {
    const callId = newCall();
    const recordingId = randomUUID();
    await grantConsent(callId);
    const clock = { now: new Date() };
    const metadata = new S3RecordingStore();
    const consent = new DynamoConsentStore();
    const queue = new InProcessJobQueue();
    const deps: IngestDeps = {
      consent,
      metadata,
      ledger: new DynamoIngestLedger(),
      queue,
      callData: new AwsCallDataStore(),
      gate: dynamoWriteGate(),
      now: () => clock.now,
      inFlightPolls: 1,
      inFlightPollDelayMs: 1,
    };
    const cutAfter =
      <T>(work: () => Promise<T>) =>
      async (): Promise<T> => {
        const result = await work();
        dynamoSwitch.cut();
        return result;
      };
    const faulty: IngestDeps = {
      ...deps,
      metadata:
        step === 'metadata'
          ? Object.assign(Object.create(metadata) as S3RecordingStore, {
              put: (m: Parameters<S3RecordingStore['put']>[0]) => cutAfter(() => metadata.put(m))(),
            })
          : metadata,
      consent:
        step === 'audit'
          ? Object.assign(Object.create(consent) as DynamoConsentStore, {
              appendEvent: (id: string, e: Parameters<DynamoConsentStore['appendEvent']>[1]) =>
                cutAfter(() => consent.appendEvent(id, e))(),
            })
          : consent,
    };
    const event = parseRecordingWebhook(finishedBody(callId, recordingId));
    const status = async (work: Promise<unknown>): Promise<number | string> =>
      work.then(
        (r) => (r as { outcome: string }).outcome,
        (e: unknown) => (httpErrorOf(e).code === 'internal_error' ? 'thrown' : httpErrorOf(e).statusCode),
      );

    expect(await status(ingestRecordingWebhook(event, faulty))).toBe(503);
    dynamoSwitch.restore();
    expect(await status(ingestRecordingWebhook(event, deps))).toBe(503); // the dead request's lease still holds
    clock.now = new Date(clock.now.getTime() + 31_000);
    expect(await status(ingestRecordingWebhook(event, deps))).toBe('stored');
    expect(await status(ingestRecordingWebhook(event, deps))).toBe('duplicate');

    expect((await objectKeys(callId)).filter((k) => k.endsWith('.json'))).toHaveLength(1);
    expect(await storedAuditEvents(callId, recordingId)).toBe(1);
    expect(queue.messages).toHaveLength(1);
  }

  it('DynamoDB dies right after the metadata object is written', async () => dynamoDiesAfter('metadata'), 30_000);
  it(
    'DynamoDB dies right after the audit event is written (the retry finds it, does not double it)',
    async () => dynamoDiesAfter('audit'),
    30_000,
  );
});

describe('consent and secrets', () => {
  it('a recording for a call without granted consent is stored flagged missing, with an error log', async () => {
    const callId = newCall();
    const recordingId = randomUUID();
    const response = await post(finishedBody(callId, recordingId));
    expect(JSON.parse(response.body)).toMatchObject({ status: 'stored' });
    const doc = await new S3RecordingStore().get(callId, recordingId);
    expect(doc?.consent).toBe('missing');
    const errorLines = logs.lines().filter((l) => l.includes('"level":"ERROR"') && l.includes('recording_without_consent'));
    expect(errorLines).toHaveLength(1);
    expect(logs.text()).toContain('"RecordingWithoutConsent"');
  });

  it('a planted caller number and SSN never reach logs or the stored object', async () => {
    const callId = newCall();
    const recordingId = randomUUID();
    const planted = {
      from: '+15125550199',
      to: '+15125550100',
      caller_id_num: '+15125550199',
      ssn: '123-45-6789',
      note: 'ssn 123456789',
    };
    await grantConsent(callId);
    expect((await post(finishedBody(callId, recordingId, planted))).statusCode).toBe(200);
    expect((await post({ call_id: '123-45-6789', status: 'completed', recording_url: recUrl(recordingId) })).statusCode).toBe(
      400,
    );
    expect(
      (await post({ ...stateBody(callId, 'finished'), params: { call_id: '+15125550199', state: 'finished' } })).statusCode,
    ).toBe(400);
    const doc = JSON.stringify(await new S3RecordingStore().get(callId, recordingId));
    const everything = `${logs.text()}\n${doc}`;
    expect(logs.lines().length).toBeGreaterThan(0);
    for (const secret of ['5125550199', '5125550100', '123-45-6789', '123456789']) expect(everything).not.toContain(secret);
  });
});
