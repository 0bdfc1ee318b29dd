/**
 * What recording ingest does for a call under legal hold or already erased. The hold and the
 * erasure are shared/privacy's: this module only reads them (through its helpers) and writes a
 * held recording exactly where and how `setLegalHold` would have put it.
 */
import type { CallDataStore } from '#shared/storage/call-data.js';
import { heldKey } from '#shared/storage/layout.js';
import { heldMetadataDocument } from './metadata.js';
import { pinHeldItems } from '#shared/storage/protection.js';
import { recordingUuidFromUrl, type SignalWireRecordings } from '#shared/signalwire/recordings.js';
import { callProtection, type CallProtection } from '#shared/storage/protection.js';
import { DEFAULT_HOLD_REASON, type LegalHoldMarker } from '#shared/storage/protection.js';
import { metadataKey } from '#shared/storage/layout.js';
import type { RecordingMetadata } from './metadata.js';
import type { RecordingEvent } from './webhook.js';

export { callProtection, pinHeldItems, type CallProtection };

/**
 * The part of shared/privacy's {@link CallDataStore} the webhook uses: it queries the call's
 * table items, pins their expiry and writes held objects. It never lists, reads or deletes
 * objects: the recording-status role may only put them (least privilege, test/infra).
 */
export type IngestCallData = Pick<CallDataStore, 'listItems' | 'setItemExpiry' | 'putJson'>;

/**
 * The hold's marker, or (consent item flagged but no marker item, which only a hand-edited
 * table produces) one saying the hold was found now.
 */
function markerOf(protection: CallProtection, now: Date): LegalHoldMarker {
  return protection.marker ?? { since: now.toISOString(), reason: DEFAULT_HOLD_REASON, requestedBy: 'recording-ingest' };
}

/**
 * Store a held call's recording metadata where `setLegalHold` keeps that call's objects
 * (`legal-hold/<call>/recordings/<recording>.json`): without the retention tag (no lifecycle
 * rule covers the prefix), `expiresAt: null` and the hold's since/reason, so `hold --release`
 * moves it back with the others. Idempotent (same key, same document). Returns the key.
 */
export async function putHeldMetadata(
  metadata: RecordingMetadata,
  protection: CallProtection,
  data: IngestCallData,
  now: Date,
): Promise<string> {
  const key = heldKey(metadata.callId, metadataKey(metadata.callId, metadata.recordingId));
  if (key === undefined) throw new Error('metadata key outside recordings/ (invariant)');
  await data.putJson(key, heldMetadataDocument(metadata, markerOf(protection, now)), { retention: false });
  return key;
}

export type SignalWireCopy = 'deleted' | 'already_gone' | 'not_configured' | 'not_a_signalwire_url' | 'no_file';

/**
 * Delete SignalWire's copy of a recording that finished after its call was erased. Erasure
 * deleted the copies it knew of; this one did not exist yet, and once we discard the callback
 * nothing of ours points to it any more, so this is the only chance to find it. Throws
 * `SignalWireDeleteError` when SignalWire does not confirm (the caller answers 503 so
 * SignalWire's retry of the callback tries again); 404 counts as done.
 */
export async function deleteSignalWireCopy(
  event: RecordingEvent,
  signalwire: SignalWireRecordings | undefined,
): Promise<SignalWireCopy> {
  if (event.state !== 'finished' || event.url === undefined) return 'no_file';
  if (!signalwire) return 'not_configured';
  const uuid = event.signalwireRecordingId ?? recordingUuidFromUrl(event.url);
  if (uuid === undefined) return 'not_a_signalwire_url';
  return signalwire.deleteRecording(uuid);
}
