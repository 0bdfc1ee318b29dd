import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from '#shared/validation/zod.js';
import { DEFAULTS, getConfig, type Config } from '#shared/config.js';
import { RetryableError } from '#shared/errors.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import type { CallDataStore } from '#shared/storage/call-data.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import { audioKey, heldKey, metadataKey, transcriptKey } from '#shared/storage/layout.js';
import { isSafeId } from '#shared/validation/ids.js';
import type { RecordingMetadataDocument } from './metadata.js';
import { SdkTranscribeJobs, type TranscribeJobs } from './transcribe-jobs.js';
import { startJobRequest } from './transcribe-settings.js';

const Job = z.object({
  callId: z.string().check(z.refine(isSafeId)),
  recordingId: z.string().check(z.refine(isSafeId)),
  metadataKey: z.string().check(z.maxLength(300)),
});
type Job = z.infer<typeof Job>;

export interface TranscriptionDeps {
  /** Reads only: the consumer writes nothing of ours (Transcribe writes its output, the completion moves it). */
  data: Pick<CallDataStore, 'listObjects' | 'readJson'>;
  jobs: TranscribeJobs;
  bucket: string;
  mode: Config['TRANSCRIPTION'];
  languageCode: string;
}

type TranscriptionOutcome = 'started' | 'already_started' | 'already_stored' | 'no_recording' | 'malformed';

/** Audio not in the bucket (yet): the message fails, SQS redelivers it, the DLQ takes it after maxReceiveCount. */
class AudioNotArchivedError extends RetryableError {
  override name = 'AudioNotArchivedError';
}

/** A key of the call, where it is now: in place, or moved under legal-hold/; undefined when neither exists. */
function located(objects: readonly string[], callId: string, key: string): string | undefined {
  if (objects.includes(key)) return key;
  const held = heldKey(callId, key);
  return held && objects.includes(held) ? held : undefined;
}

/**
 * One queue message: start the Transcribe job of its recording, once. Idempotent on
 * recordingId (SQS delivers at least once): a stored transcript or a job of the same
 * deterministic name means there is nothing to do. The recording's metadata gone (erased or
 * past retention) means there is nothing to transcribe. Audio not archived yet throws
 * {@link AudioNotArchivedError}: the archive worker may still be downloading it.
 */
async function transcribeRecording(job: Job, deps: TranscriptionDeps): Promise<TranscriptionOutcome> {
  const objects = await deps.data.listObjects(job.callId);
  const meta = located(objects, job.callId, metadataKey(job.callId, job.recordingId));
  if (!meta) return 'no_recording';
  if (located(objects, job.callId, transcriptKey(job.callId, job.recordingId))) return 'already_stored';
  const doc = (await deps.data.readJson(meta)) as RecordingMetadataDocument | undefined;
  if (!doc) return 'no_recording';
  const audio = located(objects, job.callId, audioKey(job.callId, job.recordingId, doc.format));
  if (!audio) throw new AudioNotArchivedError('recording audio is not archived yet');
  const started = await deps.jobs.start(
    startJobRequest({
      bucket: deps.bucket,
      callId: job.callId,
      recordingId: job.recordingId,
      audioKey: audio,
      format: doc.format,
      stereo: doc.stereo,
      languageCode: deps.languageCode,
    }),
  );
  if (started === 'started') countMetric(MetricName.TranscriptionStarted);
  return started;
}

async function consume(record: SQSRecord, deps: TranscriptionDeps): Promise<void> {
  let job: Job;
  try {
    job = Job.parse(JSON.parse(record.body));
  } catch {
    // Retrying cannot fix it: dropped with an error log, as the archive worker does.
    logger.error('malformed transcription job dropped', { message_id: record.messageId });
    return;
  }
  try {
    const outcome = await transcribeRecording(job, deps);
    logger.info('transcription job done', { call_id: job.callId, recording_id: job.recordingId, outcome });
  } catch (error) {
    logger.warn('transcription job failed; will be retried', {
      call_id: job.callId,
      recording_id: job.recordingId,
      reason: error instanceof Error ? error.name : 'unknown',
    });
    throw error;
  }
}

const processor = new BatchProcessor(EventType.SQS);

function productionDeps(): TranscriptionDeps {
  const config = getConfig();
  return {
    data: new AwsCallDataStore(),
    jobs: new SdkTranscribeJobs(),
    bucket: config.BUCKET_NAME,
    mode: config.TRANSCRIPTION,
    languageCode: DEFAULTS.language.code,
  };
}

/**
 * SQS batch core of the transcription consumer (functions/transcription-worker, on the
 * transcription queue that recording-status feeds). Partial batch responses: only failed
 * messages are retried and, after the queue's maxReceiveCount, dead-lettered (alarmed).
 * `TRANSCRIPTION=off` acknowledges every job and starts nothing.
 */
export async function transcriptionConsumerCore(
  event: SQSEvent,
  deps: TranscriptionDeps = productionDeps(),
): Promise<SQSBatchResponse> {
  if (deps.mode === 'off') {
    logger.info('TRANSCRIPTION=off: transcription jobs acknowledged, none started', { jobs: event.Records.length });
    return { batchItemFailures: [] };
  }
  return processPartialResponse(event, (record: SQSRecord) => consume(record, deps), processor, {
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
}
