import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { DeleteObjectCommand, GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { s3 } from '#shared/aws/clients.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { resetInstance } from '#shared/instance.js';
import { eraseCall, eraseCaller } from '#shared/privacy/erase.js';
import { exportCall } from '#shared/privacy/export.js';
import { setLegalHold } from '#shared/privacy/legal-hold.js';
import type { TranscriptDocument } from '#shared/recordings/transcript.js';
import { completeTranscription, type CompletionDeps } from '#shared/recordings/transcript-completion-core.js';
import { SdkTranscribeJobs } from '#shared/recordings/transcribe-jobs.js';
import { transcriptionJobName } from '#shared/recordings/transcribe-settings.js';
import { transcriptionConsumerCore, type TranscriptionDeps } from '#shared/recordings/transcription-consumer-core.js';
import { expireCall } from '#shared/retention/expire-call.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import { audioKey, heldKey, transcribeOutputKey, transcriptKey } from '#shared/storage/layout.js';
import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import { startTranscribeStandIn, type JobStateChange, type TranscribeStandIn } from '#infra/local/transcribe-standin.js';
import { captureLogs } from '#test/support/logs.js';
import { seedCall, testPrivacyDeps } from '#test/support/privacy-seed.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';

// Integration level: the real @aws-sdk/client-transcribe against the local stand-in of
// Transcribe's API, the real consumer and completion cores, S3 and DynamoDB on the emulators.
// The stand-in's job-end events are collected here and delivered by each test (the EventBridge
// rule's part), so a test can change the call (erase, hold) between start and completion.

const CALLER = '+14155550142';
const PLANTED = ['123-45-6789', '4111111111111111', '04/05/1980'];

let storage: TestStorage;
let standIn: TranscribeStandIn;
const ended: JobStateChange[] = [];
let logs: ReturnType<typeof captureLogs>;
let data: AwsCallDataStore;

beforeAll(async () => {
  storage = await startTestStorage();
  standIn = await startTranscribeStandIn({
    s3: s3(),
    region: 'us-east-1',
    onStateChange: async (detail) => {
      ended.push(detail);
    },
  });
  process.env.AWS_ENDPOINT_URL_TRANSCRIBE = standIn.endpoint;
  resetInstance();
  data = new AwsCallDataStore();
});
afterAll(async () => {
  await standIn.stop();
  delete process.env.AWS_ENDPOINT_URL_TRANSCRIBE;
  await storage.stop();
});
beforeEach(() => {
  ended.length = 0;
  logs = captureLogs();
});
afterEach(() => logs.restore());

const consumerDeps = (): TranscriptionDeps => ({
  data: new AwsCallDataStore(),
  jobs: new SdkTranscribeJobs(),
  bucket: storage.bucket,
  mode: 'redacted',
  languageCode: 'en-US',
});
const completionDeps = (): CompletionDeps => ({
  data: new AwsCallDataStore(),
  jobs: new SdkTranscribeJobs(),
  gate: dynamoWriteGate(),
  events: new DynamoConsentStore(),
  bucket: storage.bucket,
});

const sqsEvent = (callId: string, recordingId: string): SQSEvent =>
  ({
    Records: [
      {
        messageId: randomUUID(),
        body: JSON.stringify({ callId, recordingId, metadataKey: `recordings/${callId}/${recordingId}.json` }),
      },
    ],
  }) as unknown as SQSEvent;

/** Consumer, then the stand-in's job end, not yet delivered. */
async function startJob(callId: string, recordingId: string): Promise<JobStateChange> {
  const response = await transcriptionConsumerCore(sqsEvent(callId, recordingId), consumerDeps());
  expect(response.batchItemFailures).toEqual([]);
  await standIn.settle();
  const detail = ended.find((e) => e.TranscriptionJobName === transcriptionJobName(storage.bucket, callId, recordingId));
  expect(detail).toBeDefined();
  return detail as JobStateChange;
}

describe('transcription consumer', () => {
  it('starts one redacted, channel-identified job per recording, idempotently', async () => {
    const { callId, recordings } = await seedCall(CALLER, 1);
    const recordingId = recordings[0] ?? '';
    await startJob(callId, recordingId);
    const job = await new SdkTranscribeJobs().get(transcriptionJobName(storage.bucket, callId, recordingId));
    expect(job?.ContentRedaction).toEqual({ RedactionType: 'PII', RedactionOutput: 'redacted', PiiEntityTypes: ['ALL'] });
    expect(job?.Settings).toEqual({ ChannelIdentification: true });
    expect(job?.LanguageCode).toBe('en-US');
    expect(job?.Media?.MediaFileUri).toBe(`s3://${storage.bucket}/${audioKey(callId, recordingId, 'mp3')}`);
    // At-least-once delivery: the same message again starts nothing (ConflictException = started).
    const again = await transcriptionConsumerCore(sqsEvent(callId, recordingId), consumerDeps());
    expect(again.batchItemFailures).toEqual([]);
    expect(logs.text()).toContain('already_started');
  });

  it('fails the message while the audio is not archived yet (SQS retries, then the DLQ)', async () => {
    const { callId, recordings } = await seedCall(CALLER, 1);
    const recordingId = recordings[0] ?? '';
    await s3().send(new DeleteObjectCommand({ Bucket: storage.bucket, Key: audioKey(callId, recordingId, 'mp3') }));
    const event = sqsEvent(callId, recordingId);
    const response = await transcriptionConsumerCore(event, consumerDeps());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
  });

  it('drops malformed jobs and recordings that are gone; TRANSCRIPTION=off starts nothing', async () => {
    const malformed = { Records: [{ messageId: 'm1', body: '{"callId":"123-45-6789"}' }] } as unknown as SQSEvent;
    expect((await transcriptionConsumerCore(malformed, consumerDeps())).batchItemFailures).toEqual([]);
    expect((await transcriptionConsumerCore(sqsEvent(randomUUID(), randomUUID()), consumerDeps())).batchItemFailures).toEqual([]);
    const { callId, recordings } = await seedCall(CALLER, 1);
    await transcriptionConsumerCore(sqsEvent(callId, recordings[0] ?? ''), { ...consumerDeps(), mode: 'off' });
    expect(await new SdkTranscribeJobs().get(transcriptionJobName(storage.bucket, callId, recordings[0] ?? ''))).toBeUndefined();
  });
});

describe('transcript completion', () => {
  it('stores the redacted transcript by speaker next to the recording, tagged, and audits it', async () => {
    const { callId, recordings } = await seedCall(CALLER, 1);
    const recordingId = recordings[0] ?? '';
    const detail = await startJob(callId, recordingId);
    expect(await completeTranscription(detail, completionDeps())).toBe('stored');
    const doc = (await data.readJson(transcriptKey(callId, recordingId))) as TranscriptDocument;
    expect(doc.segments.map((s) => s.speaker)).toEqual(['agent', 'caller', 'agent', 'caller', 'agent']);
    expect(doc.segments[1]?.text).toBe('Sure. My social is [PII] and I was born [PII].');
    const text = JSON.stringify(doc);
    for (const secret of PLANTED) expect(text).not.toContain(secret);
    for (const secret of PLANTED) expect(logs.text()).not.toContain(secret);
    // Transcribe's raw output is gone; the transcript carries the retention tag.
    expect(await data.readJson(transcribeOutputKey(callId, recordingId))).toBeUndefined();
    const tags = await s3().send(
      new GetObjectTaggingCommand({ Bucket: storage.bucket, Key: transcriptKey(callId, recordingId) }),
    );
    expect(tags.TagSet).toEqual([{ Key: 'retention', Value: 'standard' }]);
    const events = await new DynamoConsentStore().listEvents(callId);
    expect(events.find((e) => e.type === 'transcript_stored')?.detail).toMatchObject({ recordingId, segments: 5, held: false });
    // A second delivery of the same event changes nothing.
    expect(await completeTranscription(detail, completionDeps())).toBe('already_stored');
  });

  it('records a failed job: transcript_failed, no transcript', async () => {
    const { callId, recordings } = await seedCall(CALLER, 1);
    const recordingId = recordings[0] ?? '';
    // The audio vanishes after the consumer saw it: Transcribe fails the job.
    const jobs = new SdkTranscribeJobs();
    const consumer: TranscriptionDeps = {
      ...consumerDeps(),
      jobs: {
        get: (name) => jobs.get(name),
        start: async (request) => {
          await data.deleteObject(audioKey(callId, recordingId, 'mp3'));
          return jobs.start(request);
        },
      },
    };
    await transcriptionConsumerCore(sqsEvent(callId, recordingId), consumer);
    await standIn.settle();
    const detail = ended.at(-1) as JobStateChange;
    expect(detail.TranscriptionJobStatus).toBe('FAILED');
    expect(await completeTranscription(detail, completionDeps())).toBe('failed');
    expect(await data.readJson(transcriptKey(callId, recordingId))).toBeUndefined();
    const events = await new DynamoConsentStore().listEvents(callId);
    expect(events.find((e) => e.type === 'transcript_failed')?.detail).toEqual({ recordingId, reason: 'transcribe_failed' });
  });

  it('leaves nothing behind for a call erased while Transcribe ran', async () => {
    const { callId, recordings } = await seedCall(CALLER, 1);
    const detail = await startJob(callId, recordings[0] ?? '');
    expect((await eraseCall(callId, { reason: 'data-subject-request', requestedBy: 'ops' }, testPrivacyDeps())).status).toBe(
      'erased',
    );
    expect(await completeTranscription(detail, completionDeps())).toBe('discarded_erased');
    expect(await data.listObjects(callId)).toEqual([]);
  });

  it('puts the transcript of a held call under legal-hold/, untagged', async () => {
    const { callId, recordings } = await seedCall(CALLER, 1);
    const recordingId = recordings[0] ?? '';
    const detail = await startJob(callId, recordingId);
    await setLegalHold(callId, true, { reason: 'case-2025-17', requestedBy: 'ops' }, testPrivacyDeps());
    expect(await completeTranscription(detail, completionDeps())).toBe('stored');
    const held = heldKey(callId, transcriptKey(callId, recordingId)) ?? '';
    expect(await data.readJson(held)).toMatchObject({ kind: 'recording-agent-transcript', recordingId });
    expect(await data.readJson(transcriptKey(callId, recordingId))).toBeUndefined();
    const tags = await s3().send(new GetObjectTaggingCommand({ Bucket: storage.bucket, Key: held }));
    expect(tags.TagSet).toEqual([]);
  });

  it('ignores jobs that are not ours', async () => {
    expect(
      await completeTranscription(
        { TranscriptionJobName: 'someone-else', TranscriptionJobStatus: 'COMPLETED' },
        completionDeps(),
      ),
    ).toBe('not_ours');
    expect(
      await completeTranscription(
        { TranscriptionJobName: 'recording-agent-unknown', TranscriptionJobStatus: 'COMPLETED' },
        completionDeps(),
      ),
    ).toBe('not_ours');
  });
});

describe('transcripts follow their recording', () => {
  async function transcribed(caller = '+14155550143'): Promise<{ callId: string; recordingId: string }> {
    const { callId, recordings } = await seedCall(caller, 1);
    const recordingId = recordings[0] ?? '';
    expect(await completeTranscription(await startJob(callId, recordingId), completionDeps())).toBe('stored');
    return { callId, recordingId };
  }

  it('is not taken for recording metadata, and appears in export', async () => {
    const { callId, recordingId } = await transcribed();
    const exported = (await exportCall(callId, testPrivacyDeps())).calls[0];
    expect(exported?.recordings).toHaveLength(1);
    expect(exported?.transcripts).toHaveLength(1);
    expect(exported?.transcripts[0]).toMatchObject({ recordingId, objectKey: transcriptKey(callId, recordingId) });
  });

  it('moves under legal hold and back', async () => {
    const { callId, recordingId } = await transcribed();
    const request = { reason: 'case-2025-18', requestedBy: 'ops' };
    await setLegalHold(callId, true, request, testPrivacyDeps());
    expect(await data.listObjects(callId)).toContain(heldKey(callId, transcriptKey(callId, recordingId)));
    await setLegalHold(callId, false, request, testPrivacyDeps());
    expect(await data.listObjects(callId)).toContain(transcriptKey(callId, recordingId));
  });

  it('is deleted by erasure by caller', async () => {
    const { callId } = await transcribed('+14155550144');
    const result = await eraseCaller(
      { number: '+14155550144' },
      { reason: 'data-subject-request', requestedBy: 'ops' },
      testPrivacyDeps(),
    );
    expect(result.calls.map((c) => c.status)).toContain('erased');
    expect(await data.listObjects(callId)).toEqual([]);
  });

  it('expires with its recording (retention enforcer)', async () => {
    const { callId, recordingId } = await transcribed();
    const later = new Date(Date.now() + 91 * 86_400_000);
    const result = await expireCall(callId, { data, gate: dynamoWriteGate(), retentionDays: 90, now: () => later });
    expect(result.recordingsDeleted).toBe(1);
    const left = await data.listObjects(callId);
    expect(left).not.toContain(transcriptKey(callId, recordingId));
    expect(left.filter((k) => k.startsWith(`recordings/${callId}/`))).toEqual([]);
  });
});
