import { nowOf } from '#shared/clock.js';
import { CallErasedError, type ConsentStore } from '#shared/consent/types.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { signalWireUuidOf } from '#shared/recordings/metadata.js';
import type { SignalWireRecordings, SignalWireRecordingSummary } from '#shared/signalwire/recordings.js';
import { expiryFrom, isMetadataKey } from '#shared/storage/layout.js';
import { isTombstone, snapshotCall } from '#shared/storage/protection.js';
import { isSafeId } from '#shared/validation/ids.js';
import type { ExpireDeps } from './expire-call.js';

/** The incident reason of a SignalWire recording we hold no metadata for (its callback never arrived). */
const WITHOUT_CALLBACK = 'recording_without_callback';

type ListingDeps = ExpireDeps & {
  signalwire: Pick<SignalWireRecordings, 'deleteRecording'>;
  events: Pick<ConsentStore, 'appendEvent' | 'listEvents'>;
};

/**
 * One recording from SignalWire's list, under our retention policy:
 * - its call is held (our snapshot of the call says so): left alone;
 * - its call was erased: deleted now (erasure could only delete the copies it knew of);
 * - past retention counted from SignalWire's `created_at`: deleted (404 = already gone);
 * - we hold no metadata for it (callbacks are best effort, docs/protocol.md §7): a
 *   `recording_without_callback` incident first — an audit `recording_incident` event on its call
 *   (once per recording), the {@link MetricName.RecordingWithoutCallback} metric and an error log —
 *   then the same policy. Without a call id in the listing there is no call to audit on or to
 *   check for a hold, so the metric and log repeat on every run until it is deleted.
 * A recording without `created_at` is never deleted on age. SignalWire or storage failures throw.
 */
export async function settleListedRecording(
  recording: SignalWireRecordingSummary,
  deps: ListingDeps,
): Promise<{ incident: boolean; deleted: boolean }> {
  const callId = recording.callId && isSafeId(recording.callId) ? recording.callId : undefined;
  let known = false;
  let erased = false;
  if (callId) {
    const snapshot = await snapshotCall(callId, deps.data);
    if (snapshot.held) return { incident: false, deleted: false };
    erased = snapshot.items.some(isTombstone);
    for (const key of snapshot.objects.filter(isMetadataKey)) {
      if (signalWireUuidOf(await deps.data.readJson(key)) === recording.id) {
        known = true;
        break;
      }
    }
  }
  const incident = !known && (await reportWithoutCallback(recording, callId, deps));
  const expired = recording.createdAt !== undefined && expiryFrom(recording.createdAt, deps.retentionDays) <= nowOf(deps);
  if (!erased && !expired) return { incident, deleted: false };
  const result = await deps.signalwire.deleteRecording(recording.id);
  logger.info("SignalWire's copy of a recording deleted by retention", { result, erased, known });
  return { incident, deleted: true };
}

/** Audit (once per recording, when the call is known), count and log the incident; true when new. */
async function reportWithoutCallback(
  recording: SignalWireRecordingSummary,
  callId: string | undefined,
  deps: ListingDeps,
): Promise<boolean> {
  if (callId) {
    try {
      const trail = await deps.events.listEvents(callId);
      const known = trail.some(
        (e) => e.type === 'recording_incident' && e.detail?.reason === WITHOUT_CALLBACK && e.detail?.recordingId === recording.id,
      );
      if (known) return false;
      await deps.events.appendEvent(callId, {
        type: 'recording_incident',
        detail: { reason: WITHOUT_CALLBACK, recordingId: recording.id },
      });
    } catch (error) {
      // An erased call takes no new event; the recording is deleted below all the same.
      if (!(error instanceof CallErasedError)) throw error;
    }
  }
  countMetric(MetricName.RecordingWithoutCallback);
  logger.error('incident: SignalWire holds a recording we never got a callback for', {
    incident: WITHOUT_CALLBACK,
    recording_id: recording.id,
    ...(callId ? { call_id: callId } : {}),
  });
  return true;
}
