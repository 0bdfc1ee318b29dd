import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSEvent } from 'aws-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { handler as archiveWorker } from '#functions/archive-worker/handler.js';
import { handler as recordingStatus } from '#functions/recording-status/handler.js';
import type { HttpResult } from '#shared/http/response.js';
import { recordingDeps } from '#shared/recordings/recording-status-core.js';
import { FanOutQueue, InProcessJobQueue } from '#shared/recordings/job-queue.js';
import { captureLogs } from '#test/support/logs.js';
import { EXTENSION_TOKEN, startSecretsExtensionStandIn, type SecretsExtensionStandIn } from '#test/support/secrets-extension.js';
import { apiEvent, lambdaContext } from '#test/support/signalwire.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';
import { resetInstance } from '#shared/instance.js';

// The deployed path of the audio archive, off-cloud: recording-status (signature checked with
// the key from the SignalWire secret) stores a recording and sends its job to the archive queue;
// the archive worker downloads the audio with the secret's API credentials into the bucket.
// Real S3/DynamoDB emulators; local HTTP stand-ins where no emulator exists: the secrets
// extension, SQS (SendMessage over the real SDK) and SignalWire's recording download.

const ARN = 'arn:aws:secretsmanager:us-east-1:210987654321:secret:signalwire-project-AbCdEf';
const PUBLIC_BASE = 'https://agent.example.com';
const PROJECT = 'project-1';
const API_TOKEN = 'PT-archive-token';
const SIGNING_KEY = 'PSK_pipeline_key';
const AUDIO = Buffer.from('ID3\u0003archived-frames-'.repeat(128));

let storage: TestStorage;
let extension: SecretsExtensionStandIn;
let sqs: Server;
let signalwire: Server;
let signalwireUrl: string;
/** On the SQS stand-in: the SQS SDK sends to the queue URL's host (useQueueUrlAsEndpoint). */
let ARCHIVE_QUEUE_URL: string;
let sqsFailures = 0;
const sent: Array<{ queueUrl: string; body: string }> = [];
const downloads: Array<{ method: string; path: string; authorization: string | undefined }> = [];
let logs: ReturnType<typeof captureLogs>;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const fullSecret = () =>
  JSON.stringify({ projectId: PROJECT, apiToken: API_TOKEN, signingKey: SIGNING_KEY, spaceUrl: signalwireUrl });

beforeAll(async () => {
  extension = await startSecretsExtensionStandIn();
  // SQS JSON protocol, SendMessage only; `sqsFailures` makes the next requests answer 500.
  sqs = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      if (sqsFailures > 0) {
        sqsFailures -= 1;
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end('{"__type":"InternalError"}');
        return;
      }
      const body = JSON.parse(raw) as { QueueUrl: string; MessageBody: string };
      sent.push({ queueUrl: body.QueueUrl, body: body.MessageBody });
      const md5 = createHash('md5').update(body.MessageBody).digest('hex');
      res
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 }));
    });
  });
  signalwire = createServer((req, res) => {
    downloads.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    const expected = `Basic ${Buffer.from(`${PROJECT}:${API_TOKEN}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(AUDIO.length) }).end(AUDIO);
  });
  const sqsUrl = await listen(sqs);
  ARCHIVE_QUEUE_URL = `${sqsUrl}/210987654321/archive`;
  signalwireUrl = await listen(signalwire);
  storage = await startTestStorage({
    SIGNALWIRE_SECRET_ARN: ARN,
    ARCHIVE_QUEUE_URL,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: extension.port,
    AWS_SESSION_TOKEN: EXTENSION_TOKEN,
  });
  // Transcription jobs stay in process memory (QUEUE_URL unset), so the SQS stand-in sees only archive jobs.
  delete process.env.QUEUE_URL;
  delete process.env.SIGNALWIRE_SIGNING_KEY;
  resetInstance();
});
afterAll(async () => {
  await Promise.all([extension.close(), new Promise((r) => sqs.close(r)), new Promise((r) => signalwire.close(r))]);
  await storage.stop();
});
beforeEach(() => {
  extension.secrets.set(ARN, fullSecret());
  resetInstance();
  sent.length = 0;
  downloads.length = 0;
  sqsFailures = 0;
  logs = captureLogs();
});
afterEach(() => logs.restore());

function webhook(): { body: string; callId: string; recordingId: string } {
  const callId = randomUUID();
  const recordingId = randomUUID();
  const body = JSON.stringify({
    event_type: 'calling.call.record',
    params: {
      call_id: callId,
      control_id: 'main',
      state: 'finished',
      record: {
        url: `${signalwireUrl}/api/v1/recordings/${recordingId}/download`,
        duration: 12,
        size: AUDIO.length,
        format: 'mp3',
      },
    },
  });
  return { body, callId, recordingId };
}

async function post(body: string, key = SIGNING_KEY): Promise<HttpResult> {
  const signature = createHmac('sha1', key).update(`${PUBLIC_BASE}/recording-status${body}`).digest('hex');
  return recordingStatus(
    apiEvent({ path: '/recording-status', rawBody: body, headers: { 'x-signalwire-signature': signature } }),
    lambdaContext('recording-status'),
  );
}
const statusOf = (r: HttpResult) => (JSON.parse(r.body) as { status?: string }).status;

function transcriptionJobs(recordingId: string): unknown[] {
  const queue = recordingDeps().queue;
  const first = queue instanceof FanOutQueue ? queue.queues[0] : queue;
  if (!(first instanceof InProcessJobQueue)) throw new Error('expected the in-process transcription queue');
  return first.messages.filter((m) => m.recordingId === recordingId);
}

const sqsEvent = (bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body, eventSource: 'aws:sqs' })) }) as unknown as SQSEvent;

async function audioAt(key: string): Promise<Buffer> {
  const got = await new S3Client({ forcePathStyle: true }).send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

describe('audio archive, deployed wiring', () => {
  it("sends one archive job per stored recording, and the worker archives the audio with the secret's credentials", async () => {
    // Prepare
    const { body, callId, recordingId } = webhook();
    // Act: the callback, then SignalWire's replay of it.
    const first = await post(body);
    const replay = await post(body);
    // Assess: stored once, one job on each queue.
    expect([first.statusCode, statusOf(first)]).toEqual([200, 'stored']);
    expect(statusOf(replay)).toBe('duplicate');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.queueUrl).toBe(ARCHIVE_QUEUE_URL);
    const job = JSON.parse(sent[0]!.body) as Record<string, unknown>;
    expect(job).toEqual({ callId, recordingId, metadataKey: `recordings/${callId}/${recordingId}.json` });
    expect(transcriptionJobs(recordingId)).toEqual([job]);

    // Act: SQS delivers the job to the worker, twice (at least once).
    const done = await archiveWorker(sqsEvent([sent[0]!.body]), lambdaContext('archive-worker'));
    const again = await archiveWorker(sqsEvent([sent[0]!.body]), lambdaContext('archive-worker'));
    // Assess: one download, authenticated as the secret says; the audio sits next to its metadata.
    expect(done).toEqual({ batchItemFailures: [] });
    expect(again).toEqual({ batchItemFailures: [] });
    const authorization = `Basic ${Buffer.from(`${PROJECT}:${API_TOKEN}`).toString('base64')}`;
    expect(downloads.filter((r) => r.method === 'GET')).toEqual([
      { method: 'GET', path: `/api/v1/recordings/${recordingId}/download`, authorization },
    ]);
    // Then SignalWire's copy is deleted (SIGNALWIRE_COPY=delete-after-archive), once per delivery: idempotent.
    expect(downloads.filter((r) => r.method !== 'GET').map((r) => [r.method, r.path])).toEqual(
      Array.from({ length: 2 }, () => ['DELETE', `/api/relay/rest/recordings/${recordingId}`]),
    );
    expect((await audioAt(`recordings/${callId}/${recordingId}.mp3`)).equals(AUDIO)).toBe(true);
    expect(logs.text()).not.toContain(API_TOKEN);
  });

  it("checks the signature with the secret's key: a callback signed with another is counted and logged, never dropped", async () => {
    // SignalWire does not document signing status callbacks (docs/protocol.md §7): a mismatch must
    // not lose a recording; basic auth (or the call's token) is what admits it.
    const { body, recordingId } = webhook();
    const result = await post(body, 'some-other-key');
    expect(statusOf(result)).toBe('stored');
    expect(logs.text()).toContain('request signature does not match');
    expect(transcriptionJobs(recordingId)).toHaveLength(1);
  });

  it('keeps the job when the archive queue fails: 503, and the retry queues it (the ledger completes once)', async () => {
    // Prepare: SQS fails both SDK attempts of the first send.
    sqsFailures = 2;
    const { body, recordingId } = webhook();
    // Act
    const failed = await post(body);
    const retried = await post(body);
    const replay = await post(body);
    // Assess: the recording's `queued` step was marked only after both queues had the job.
    expect(failed.statusCode).toBe(503);
    expect(statusOf(retried)).toBe('stored');
    expect(statusOf(replay)).toBe('duplicate');
    expect(sent.map((m) => (JSON.parse(m.body) as { recordingId: string }).recordingId)).toEqual([recordingId]);
    // The transcription queue was sent to before the archive failed: at least once, as documented.
    expect(transcriptionJobs(recordingId)).toHaveLength(2);
  });

  it('sends no archive job while the secret holds no API credentials (signatures still checked)', async () => {
    // Prepare: the operator filled only the signing key.
    extension.secrets.set(ARN, JSON.stringify({ projectId: '', apiToken: '', signingKey: SIGNING_KEY, spaceUrl: '' }));
    const { body, recordingId } = webhook();
    // Act
    const result = await post(body);
    // Assess
    expect(statusOf(result)).toBe('stored');
    expect(sent).toEqual([]);
    expect(transcriptionJobs(recordingId)).toHaveLength(1);
    expect(logs.text()).not.toContain('request signature does not match');
    expect(statusOf(await post(webhook().body, 'some-other-key'))).toBe('stored');
    expect(logs.text()).toContain('request signature does not match');
  });
});
