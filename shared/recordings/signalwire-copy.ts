import type { SignalWireCopyMode } from '#shared/config.js';
import { CallErasedError, type ConsentStore } from '#shared/consent/types.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import type { SignalWireRecordings } from '#shared/signalwire/recordings.js';
import { signalWireUuidOf } from './metadata.js';
import type { RecordingStore } from './recording-store.js';
import type { RecordingJob } from './job-queue.js';

/** What deleting SignalWire's copy after the archive needs (shared/recordings/archive-worker-core.ts builds it). */
export interface SignalWireCopyDeps {
  mode: SignalWireCopyMode;
  /** Undefined without SignalWire REST credentials: nothing can be deleted then. */
  signalwire: Pick<SignalWireRecordings, 'deleteRecording'> | undefined;
  /** Where the deletion is recorded: the call's audit trail. */
  events: Pick<ConsentStore, 'appendEvent' | 'listEvents'>;
}

export type SignalWireCopyOutcome = 'kept' | 'deleted' | 'already_gone' | 'no_uuid' | 'not_archived';

/**
 * SignalWire keeps every recording until someone deletes it (docs/protocol.md §6) while our agent
 * tells callers recordings go after the retention days; so once our copy of the audio is in the
 * bucket, SignalWire's is redundant and goes (`SIGNALWIRE_COPY=delete-after-archive`, the
 * default). `keep-until-retention` leaves it to the retention enforcer (shared/retention).
 *
 * Called by the archive worker after `archived` / `already_archived`; it checks once more that our
 * audio object exists before deleting anything, so a copy is never deleted while ours is not
 * there. 404 counts as done; any other failure throws and the job is retried (the audio is then
 * `already_archived`, not downloaded again).
 *
 * Recorded as a `signalwire_copy_deleted` audit event on the call (not in the metadata document:
 * rewriting that object could race a legal hold or an erasure moving or deleting it and bring it
 * back, while the audit store refuses writes for an erased call). Once per recording: a retry
 * after the event was written writes none. An erased call gets no event (nothing may be stored
 * for it); the copy is gone either way.
 */
export async function settleSignalWireCopy(
  job: RecordingJob,
  audioKey: string,
  deps: { metadata: RecordingStore; copy: SignalWireCopyDeps },
): Promise<SignalWireCopyOutcome> {
  const { copy } = deps;
  if (copy.mode === 'keep-until-retention' || !copy.signalwire) return 'kept';
  if (!(await deps.metadata.exists(audioKey))) return 'not_archived';
  const uuid = signalWireUuidOf(await deps.metadata.get(job.callId, job.recordingId));
  if (!uuid) return 'no_uuid';
  const result = await copy.signalwire.deleteRecording(uuid);
  try {
    const trail = await copy.events.listEvents(job.callId);
    const known = trail.some((e) => e.type === 'signalwire_copy_deleted' && e.detail?.recordingId === job.recordingId);
    if (!known) {
      await copy.events.appendEvent(job.callId, {
        type: 'signalwire_copy_deleted',
        detail: { recordingId: job.recordingId, signalwireRecordingId: uuid, result },
      });
    }
  } catch (error) {
    if (!(error instanceof CallErasedError)) throw error;
  }
  countMetric(MetricName.SignalWireCopyDeleted);
  logger.info("SignalWire's copy of the recording deleted after archive", { recording_id: job.recordingId, result });
  return result;
}
