import type { AuditEvent, ConsentRecord, ConsentStore } from '#shared/consent/types.js';
import {
  AGENT_CONTROL_ID,
  afterCallback,
  updateRecordingControl,
  type ControlFields,
} from '#shared/consent/recording-control.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import type { RecordingEvent } from './webhook.js';

/** Why a `recording` callback (or a finished segment) is a compliance incident. */
export type IncidentReason =
  | 'no_consent'
  | 'after_refusal'
  | 'after_withdrawal'
  | 'while_collecting'
  | 'second_recording'
  | 'finished_after_withdrawal';

/** The incidents a `recording` callback is, given consent and the control state before it. */
function recordingIncidents(consent: ConsentRecord | undefined, before: ControlFields, recordingId: string): IncidentReason[] {
  const reasons: IncidentReason[] = [];
  if (consent?.state === 'declined') reasons.push('after_refusal');
  else if (consent?.state === 'withdrawn') reasons.push('after_withdrawal');
  else if (consent?.state !== 'granted') reasons.push('no_consent');
  if (before.collecting) reasons.push('while_collecting');
  if (
    before.status !== 'idle' &&
    before.recordingId !== undefined &&
    before.recordingId !== recordingId &&
    !before.ended.includes(recordingId)
  ) {
    reasons.push('second_recording');
  }
  return reasons;
}

/** Audit and count one incident (the alarm watches the metric), once per recording and reason. */
export async function reportIncident(
  store: ConsentStore,
  event: RecordingEvent,
  reason: IncidentReason,
  trail: readonly AuditEvent[],
): Promise<void> {
  const known = trail.some(
    (e) => e.type === 'recording_incident' && e.detail?.recordingId === event.recordingId && e.detail?.reason === reason,
  );
  if (known) return;
  await store.appendEvent(event.callId, {
    type: 'recording_incident',
    detail: { reason, recordingId: event.recordingId, controlId: event.controlId ?? AGENT_CONTROL_ID },
  });
  countMetric(MetricName.RecordingIncident);
  logger.error('incident: recording callback the consent state does not allow', {
    incident: reason,
    recording_id: event.recordingId,
  });
}

/**
 * Reconcile the server's recording state with one status callback (issue #11 points 2–3):
 * `recording` / `paused` mark the control id running (with SignalWire's recording id) and are
 * audited as `recording_confirmed`; `finished` / `no_input` / `error` end the segment. A
 * `recording` callback without granted consent, after a refusal or withdrawal, while a secure
 * tool collects data, or beside another running segment is an incident: audited
 * (`recording_incident`), counted ({@link MetricName.RecordingIncident}) and alarmed. Replays
 * change nothing and count nothing twice. Storage faults propagate (the webhook answers 503).
 */
export async function reconcileRecordingCallback(
  event: RecordingEvent,
  store: ConsentStore,
  retentionDays: number,
  segment?: number,
): Promise<void> {
  const ids = { callId: event.callId, controlId: event.controlId ?? AGENT_CONTROL_ID };
  const consent = await store.getConsent(event.callId);
  const { value: before } = await updateRecordingControl(store, ids, 'idle', retentionDays, (current) => ({
    next: afterCallback(current, event.state, event.recordingId, segment),
    value: current,
  }));
  if (event.state !== 'recording' && event.state !== 'paused') return;
  const trail = await store.listEvents(event.callId);
  const confirmed = trail.some(
    (e) => e.type === 'recording_confirmed' && e.detail?.recordingId === event.recordingId && e.detail?.state === event.state,
  );
  if (!confirmed) {
    await store.appendEvent(event.callId, {
      type: 'recording_confirmed',
      detail: { recordingId: event.recordingId, controlId: ids.controlId, state: event.state, consent: consent?.state ?? 'none' },
    });
  }
  if (event.state !== 'recording') return;
  for (const reason of recordingIncidents(consent, before, event.recordingId)) {
    await reportIncident(store, event, reason, trail);
  }
}
