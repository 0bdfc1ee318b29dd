import { auditEventFromItem } from '#shared/consent/transitions.js';
import type { ConsentRecord } from '#shared/consent/types.js';
import type { PrivacyDeps } from './deps.js';
import { nowOf } from '#shared/clock.js';
import { callerHashOf } from './erase.js';
import { isMetadataKey, isTranscriptKey, SK } from '#shared/storage/layout.js';
import { snapshotCall } from '#shared/storage/protection.js';
import type { CallerRef, CallExport, ExportDocument } from './types.js';
import type { RecordingMetadataDocument } from '#shared/recordings/metadata.js';
import type { TranscriptDocument } from '#shared/recordings/transcript.js';

/**
 * Everything held about one call, as one JSON document (a data subject's copy on request).
 * There is no raw caller number in it because none is stored anywhere: the consent item holds
 * only the keyed hash. Audio is listed by object key, not embedded.
 */
export async function exportCall(callId: string, deps: PrivacyDeps): Promise<ExportDocument> {
  return {
    kind: 'recording-agent-export',
    version: 1,
    exportedAt: nowOf(deps).toISOString(),
    subject: { callId },
    calls: [await collectCall(callId, deps)],
  };
}

/** Everything held about every call of a caller (found by the keyed hash, as erasure does). */
export async function exportCaller(caller: CallerRef, deps: PrivacyDeps): Promise<ExportDocument> {
  const callerHash = await callerHashOf(caller, deps);
  const calls: CallExport[] = [];
  for (const id of await deps.consent.callsForCaller(callerHash)) calls.push(await collectCall(id, deps));
  return {
    kind: 'recording-agent-export',
    version: 1,
    exportedAt: nowOf(deps).toISOString(),
    subject: { callerHash },
    calls,
  };
}

async function collectCall(callId: string, deps: PrivacyDeps): Promise<CallExport> {
  const snapshot = await snapshotCall(callId, deps.data);
  const consentItem = snapshot.items.find((i) => i.sk === SK.consent);
  const events = snapshot.items.filter((i) => i.sk.startsWith(SK.eventPrefix)).map((i) => auditEventFromItem(i.attributes));
  const recordings: CallExport['recordings'] = [];
  for (const key of snapshot.objects.filter(isMetadataKey)) {
    const doc = await deps.data.readJson(key);
    if (typeof doc === 'object' && doc !== null) recordings.push({ ...(doc as RecordingMetadataDocument), objectKey: key });
  }
  const transcripts: CallExport['transcripts'] = [];
  for (const key of snapshot.objects.filter(isTranscriptKey)) {
    const doc = await deps.data.readJson(key);
    if (typeof doc === 'object' && doc !== null) transcripts.push({ ...(doc as TranscriptDocument), objectKey: key });
  }
  return {
    callId,
    consent: consentItem ? (consentItem.attributes as unknown as ConsentRecord) : null,
    events,
    recordings,
    transcripts,
    objects: snapshot.objects,
    // The write gate's item is bookkeeping about writers, not data about the caller.
    otherItems: snapshot.items.filter((i) => i.sk !== SK.consent && i.sk !== SK.guard && !i.sk.startsWith(SK.eventPrefix)),
    legalHold: snapshot.marker ?? null,
  };
}
