import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from '#shared/validation/zod.js';
import { loadSignalWireProject } from '#shared/aws/secrets.js';
import { getConfig } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { signalWireRecordingsFromConfig } from '#shared/signalwire/recordings.js';
import { archiveRecordingAudio, archiveSettings, type ArchiveDeps } from './audio-archive.js';
import { S3RecordingStore } from './recording-store.js';
import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import { settleSignalWireCopy, type SignalWireCopyDeps } from './signalwire-copy.js';
import { isSafeId } from '#shared/validation/ids.js';

const Job = z.object({
  callId: z.string().check(z.refine(isSafeId)),
  recordingId: z.string().check(z.refine(isSafeId)),
  metadataKey: z.string().check(z.maxLength(300)),
});

type Job = z.infer<typeof Job>;

/** The archive's dependencies, and what to do with SignalWire's copy once ours is archived (none: keep it). */
type WorkerDeps = ArchiveDeps & { copy?: SignalWireCopyDeps };

/** Powertools' SQS partial-batch processor: one per instance, reset on every batch. */
const processor = new BatchProcessor(EventType.SQS);

/**
 * One archive job. Throwing marks the message failed (retried, then dead-lettered); a malformed
 * message returns normally, so it is dropped with an error log (retrying cannot fix it).
 */
async function archiveJob(record: SQSRecord, deps: WorkerDeps): Promise<void> {
  let job: Job;
  try {
    job = Job.parse(JSON.parse(record.body));
  } catch {
    logger.error('malformed archive job dropped', { message_id: record.messageId });
    return;
  }
  try {
    const result = await archiveRecordingAudio(job, deps);
    // Only once our copy is in the bucket may SignalWire's go (signalwire-copy.ts re-checks).
    const copy =
      (result.status === 'archived' || result.status === 'already_archived') && deps.copy
        ? await settleSignalWireCopy(job, result.key, { metadata: deps.metadata, copy: deps.copy })
        : 'kept';
    logger.info('archive job done', { recording_id: job.recordingId, status: result.status, signalwire_copy: copy });
  } catch (error) {
    logger.warn('archive job failed; will be retried', {
      recording_id: job.recordingId,
      reason: error instanceof Error ? error.message : 'unknown',
    });
    throw error;
  }
}

/**
 * SQS batch core of the audio-archive worker (functions/archive-worker: subscribed to the
 * archive queue, which recording-status feeds next to the transcription queue; see
 * shared/recordings/recording-status-core.ts). Powertools' `processPartialResponse` reports failed messages
 * individually (`batchItemFailures`) so only they are retried and, after the queue's
 * maxReceiveCount, dead-lettered. Jobs run one after another (each may hold a download of up to
 * 200 MB in memory), and a batch whose every job failed is answered the same way rather than
 * thrown (`throwOnFullBatchFailure: false`): a failed download is the queue's to retry, not a
 * function error. docs/decisions.md says why this package and not our own loop.
 *
 * Credentials come from the SignalWire project settings (env overlaid by the SignalWire
 * secret). recording-status enqueues only when they are configured, so a job that finds none
 * here means they were removed or cannot be seen: every message is reported failed, to wait
 * in the DLQ (alarmed) until the secret is filled and the DLQ redriven, rather than dropped.
 *
 * After a job archived the audio (or found it archived), SignalWire's copy is deleted per
 * `SIGNALWIRE_COPY` (shared/recordings/signalwire-copy.ts); a failure there fails the job, whose
 * retry finds the audio archived and only tries the deletion again. Injected deps without `copy`
 * keep SignalWire's copy.
 */
export async function archiveWorkerCore(
  event: SQSEvent,
  deps?: Omit<WorkerDeps, 'metadata' | 'gate'> & Pick<Partial<WorkerDeps>, 'metadata' | 'gate'>,
): Promise<SQSBatchResponse> {
  const project = deps ? undefined : await loadSignalWireProject(getConfig());
  const settings = deps ?? (project && archiveSettings(project));
  if (!settings) {
    logger.error('audio archive jobs but no SignalWire project credentials (projectId / apiToken): jobs left for retry', {
      jobs: event.Records.length,
    });
    return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
  }
  const copy: SignalWireCopyDeps | undefined = project
    ? { mode: getConfig().SIGNALWIRE_COPY, signalwire: signalWireRecordingsFromConfig(project), events: new DynamoConsentStore() }
    : deps?.copy;
  const full: WorkerDeps = {
    metadata: deps?.metadata ?? new S3RecordingStore(),
    gate: deps?.gate ?? dynamoWriteGate(),
    ...settings,
    ...(copy ? { copy } : {}),
  };
  return processPartialResponse(event, (record: SQSRecord) => archiveJob(record, full), processor, {
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
}
