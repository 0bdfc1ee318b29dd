import type { TranscriptionJob } from '@aws-sdk/client-transcribe';
import { nowOf, type Clocked } from '#shared/clock.js';
import { DEFAULTS, getConfig } from '#shared/config.js';
import type { ConsentStore } from '#shared/consent/types.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { onInstanceReset } from '#shared/instance.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import type { CallDataStore } from '#shared/storage/call-data.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import {
  BUCKET_PREFIXES,
  heldKey,
  metadataKey,
  releasedKey,
  transcribeOutputKey,
  transcriptKey,
} from '#shared/storage/layout.js';
import { dynamoWriteGate, type WriteGate } from '#shared/storage/write-gate.js';
import { transcriptFromTranscribeOutput, TranscriptFormatError } from './transcript.js';
import { SdkTranscribeJobs, type TranscribeJobs } from './transcribe-jobs.js';
import { TRANSCRIBE_JOB_PREFIX, transcriptionJobName } from './transcribe-settings.js';

/** The `detail` of EventBridge's "Transcribe Job State Change" event. */
export interface TranscribeJobStateChange {
  TranscriptionJobName?: string;
  TranscriptionJobStatus?: string;
}

export interface CompletionDeps extends Clocked {
  data: Pick<CallDataStore, 'listObjects' | 'readJson' | 'putJson' | 'deleteObject'>;
  jobs: TranscribeJobs;
  gate: WriteGate;
  events: Pick<ConsentStore, 'appendEvent'>;
  bucket: string;
}

export type CompletionOutcome =
  | 'stored'
  | 'already_stored'
  | 'failed'
  | 'discarded_erased'
  | 'no_recording'
  | 'in_progress'
  | 'not_ours';

/**
 * Longer than the completion function's timeout (30 s, infra/stack/agent-functions.ts), so an
 * operator draining the gate never gives up on a completion that is still running.
 */
const COMPLETION_LEASE_MS = 60_000;

/** Key of an S3 URI in our bucket: `s3://bucket/key` or Transcribe's `https://s3.<region>.amazonaws.com/bucket/key`. */
function keyInBucket(uri: string | undefined, bucket: string): string | undefined {
  if (!uri) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const path = decodeURIComponent(url.pathname).replace(/^\//, '');
  if (url.protocol === 's3:') return url.hostname === bucket ? path : undefined;
  return path.startsWith(`${bucket}/`) ? path.slice(bucket.length + 1) : undefined;
}

/** The recording a job of ours transcribes, from its media key (in place or under legal hold) and its name. */
function recordingOfJob(job: TranscriptionJob, bucket: string): { callId: string; recordingId: string } | undefined {
  let key = keyInBucket(job.Media?.MediaFileUri, bucket);
  const held = key?.startsWith(BUCKET_PREFIXES.legalHold) ? /^legal-hold\/([^/]+)\//.exec(key) : undefined;
  if (key && held?.[1]) key = releasedKey(held[1], key);
  const match = key ? /^recordings\/([^/]+)\/(.+)\.[^./]+$/.exec(key) : undefined;
  if (!match?.[1] || !match[2]) return undefined;
  const [callId, recordingId] = [match[1], match[2]];
  // A job of another stack (stage) or someone else's never matches the name we would give it.
  return transcriptionJobName(bucket, callId, recordingId) === job.TranscriptionJobName ? { callId, recordingId } : undefined;
}

/** Where Transcribe put the output (the job says), limited to the recording's own spot under transcribe-output/. */
function outputKeysOf(job: TranscriptionJob, bucket: string, callId: string, recordingId: string): string[] {
  const expected = transcribeOutputKey(callId, recordingId);
  const named = keyInBucket(job.Transcript?.RedactedTranscriptFileUri ?? job.Transcript?.TranscriptFileUri, bucket);
  const own = named?.startsWith(`${BUCKET_PREFIXES.transcribeOutput}${callId}/`) ? named : undefined;
  return [...new Set([own ?? expected, expected])];
}

/**
 * One Transcribe job's end (EventBridge rule on "Transcribe Job State Change" → this). Transcribe
 * wrote its redacted output under transcribe-output/, outside any call's write gate; this moves
 * it through the gate, as every writer of a call's data does (shared/storage/write-gate.ts):
 * - erased or being erased: its output is deleted and nothing is written;
 * - the recording's metadata is gone (expired meanwhile): the same, a transcript never outlives its recording;
 * - held: the transcript goes under legal-hold/ without the retention tag; else next to the
 *   recording with it, where lifecycle, the retention enforcer, hold, erasure and export find it;
 * - FAILED (or output we cannot read): a `transcript_failed` audit event and metric (alarmed).
 * Idempotent: EventBridge may deliver twice; a second delivery finds the transcript stored.
 */
export async function completeTranscription(detail: TranscribeJobStateChange, deps: CompletionDeps): Promise<CompletionOutcome> {
  const name = detail.TranscriptionJobName ?? '';
  if (!name.startsWith(TRANSCRIBE_JOB_PREFIX)) return 'not_ours';
  const job = await deps.jobs.get(name);
  const recording = job && recordingOfJob(job, deps.bucket);
  if (!job || !recording) return 'not_ours';
  const status = job.TranscriptionJobStatus;
  if (status !== 'COMPLETED' && status !== 'FAILED') return 'in_progress';
  const { callId, recordingId } = recording;
  const outputs = outputKeysOf(job, deps.bucket, callId, recordingId);
  const discardOutput = async (): Promise<void> => {
    for (const key of outputs) await deps.data.deleteObject(key);
  };

  const pass = await deps.gate.enter(callId, { leaseMs: COMPLETION_LEASE_MS });
  if (pass === 'erased') {
    await discardOutput();
    return 'discarded_erased';
  }
  try {
    const objects = await deps.data.listObjects(callId);
    const has = (key: string): boolean => objects.includes(key) || objects.includes(heldKey(callId, key) ?? key);
    if (!has(metadataKey(callId, recordingId))) {
      await discardOutput();
      return 'no_recording';
    }
    const failed = async (reason: string): Promise<'failed'> => {
      await discardOutput();
      await deps.events.appendEvent(callId, { type: 'transcript_failed', detail: { recordingId, reason } });
      countMetric(MetricName.TranscriptFailed);
      // FailureReason is Transcribe's text about the media; the logger's redaction still runs over it.
      logger.error('transcript failed', { call_id: callId, recording_id: recordingId, reason, failure: job.FailureReason });
      return 'failed';
    };
    if (status === 'FAILED') return await failed('transcribe_failed');

    const raw = await deps.data.readJson(outputs[0] ?? '');
    if (raw === undefined) return has(transcriptKey(callId, recordingId)) ? 'already_stored' : await failed('output_missing');
    let transcript: ReturnType<typeof transcriptFromTranscribeOutput>;
    try {
      transcript = transcriptFromTranscribeOutput(raw, {
        callId,
        recordingId,
        jobName: name,
        languageCode: job.LanguageCode ?? DEFAULTS.language.code,
        storedAt: nowOf(deps).toISOString(),
      });
    } catch (error) {
      if (error instanceof TranscriptFormatError) return await failed('output_unreadable');
      throw error;
    }
    const key = transcriptKey(callId, recordingId);
    await deps.data.putJson(pass.held ? (heldKey(callId, key) ?? key) : key, transcript, { retention: !pass.held });
    await discardOutput();
    await deps.events.appendEvent(callId, {
      type: 'transcript_stored',
      detail: { recordingId, segments: transcript.segments.length, held: pass.held },
    });
    countMetric(MetricName.TranscriptStored);
    logger.info('transcript stored', { call_id: callId, recording_id: recordingId, segments: transcript.segments.length });
    return 'stored';
  } finally {
    await pass.leave();
  }
}

let production: CompletionDeps | undefined;
onInstanceReset(() => {
  production = undefined;
});

/** The production dependencies (module scope, reused while warm). */
function completionDeps(): CompletionDeps {
  production ??= {
    data: new AwsCallDataStore(),
    jobs: new SdkTranscribeJobs(),
    gate: dynamoWriteGate(),
    events: new DynamoConsentStore(),
    bucket: getConfig().BUCKET_NAME,
  };
  return production;
}

/** Core of functions/transcript-completion: one EventBridge event, its outcome logged. */
export async function transcriptCompletionCore(
  event: { detail?: TranscribeJobStateChange },
  deps: CompletionDeps = completionDeps(),
): Promise<{ outcome: CompletionOutcome }> {
  const outcome = await completeTranscription(event.detail ?? {}, deps);
  logger.info('transcribe job state change handled', { job: event.detail?.TranscriptionJobName, outcome });
  return { outcome };
}
