import { callerHash } from '#shared/consent/caller-hash.js';
import { logger } from '#shared/observability/logger.js';
import type { PrivacyDeps } from './deps.js';
import { isHeldKey, isMetadataKey, SK } from '#shared/storage/layout.js';
import { recordingUuidFromUrl } from '#shared/signalwire/recordings.js';
import { isTombstone, snapshotCall, type CallSnapshot } from '#shared/storage/protection.js';
import { LegalHoldError, type CallerRef, type EraseCallerResult, type EraseCallResult, type OperatorRequest } from './types.js';

/**
 * Erase everything held about one call: SignalWire's copies of its recordings (when credentials
 * are configured), the S3 objects (metadata, archived audio) and the table items (consent,
 * audit events, ingest ledger), leaving an `erased` tombstone event.
 *
 * Order, and why:
 * 1. Refuse a call under legal hold before touching anything ({@link LegalHoldError}).
 * 2. SignalWire first: the uuid of their copy is only in our metadata. Deleting ours first and
 *    then failing at SignalWire would orphan their copy with no way left to find it. A failure
 *    there throws before any local change, and the retry starts over (404 counts as done).
 * 3. The tombstone, before anything local is deleted: an erased call stays erased (issue #11
 *    point 6). From the moment it exists the consent store refuses every write for the call (a
 *    consent "yes", a start tool, an audit event: see DynamoConsentStore), so a live call cannot
 *    re-create what is about to go. Written by the consent store at the call's one tombstone key,
 *    with expiresAt = now + retention (+ the evidence margin). It outlives the erased data by that
 *    long, which answers "was this call erased, when, why" for as long as anyone could ask about
 *    the recording, and then goes too: a tombstone kept forever would keep a call id (which
 *    SignalWire's own logs tie to a caller) forever, the retention breach erasure is meant to end.
 *    (No call lasts that long, so nothing can write for it after the tombstone expires.)
 * 4. S3 objects, then table items, the consent item last: it is what the byCaller index finds,
 *    so an erasure by caller interrupted halfway still finds this call when retried.
 * 5. A sweep: the call's consent item and audit events are listed again and whatever a writer
 *    stored after the first listing (its check for the tombstone ran before step 3) is deleted.
 *    What remains possible is a write that checked before step 3 and lands after this listing;
 *    see DynamoConsentStore for that window. Objects and ledger items are not swept: the
 *    recording webhook has its own protocol for a call erased while it stores (ingest.ts).
 *
 * Idempotent: existing tombstones are kept, not duplicated; a call holding nothing but
 * tombstones reports `already_erased` and writes nothing. A call with nothing at all reports
 * `nothing_held` and writes nothing (no data is created for an unknown id).
 */
export async function eraseCall(callId: string, request: OperatorRequest, deps: PrivacyDeps): Promise<EraseCallResult> {
  const snapshot = await snapshotCall(callId, deps.data);
  if (snapshot.held) throw new LegalHoldError([callId]);
  return eraseSnapshot(snapshot, request, deps);
}

/**
 * Erase every call of a caller, found through the byCaller index by the keyed hash of the
 * number (the number itself is never stored, logged or returned). If any of the caller's calls
 * is under legal hold the whole request is refused before anything changes.
 */
export async function eraseCaller(caller: CallerRef, request: OperatorRequest, deps: PrivacyDeps): Promise<EraseCallerResult> {
  const callIds = await callsOfCaller(caller, deps);
  const snapshots = await Promise.all(callIds.map((id) => snapshotCall(id, deps.data)));
  const held = snapshots.filter((s) => s.held).map((s) => s.callId);
  if (held.length > 0) throw new LegalHoldError(held);
  const calls: EraseCallResult[] = [];
  // One call after another: a SignalWire failure stops here, and the retry resumes (idempotent).
  for (const snapshot of snapshots) calls.push(await eraseSnapshot(snapshot, request, deps));
  return { calls };
}

/** The call ids the byCaller index holds for this caller. */
async function callsOfCaller(caller: CallerRef, deps: PrivacyDeps): Promise<string[]> {
  return deps.consent.callsForCaller(await callerHashOf(caller, deps));
}

/** The keyed hash the index holds for this caller (the number is hashed, then forgotten). */
export async function callerHashOf(caller: CallerRef, deps: PrivacyDeps): Promise<string> {
  return 'hash' in caller ? caller.hash : callerHash(caller.number, await deps.callerHashSecret());
}

async function eraseSnapshot(snapshot: CallSnapshot, request: OperatorRequest, deps: PrivacyDeps): Promise<EraseCallResult> {
  const { callId } = snapshot;
  const items = snapshot.items.filter((item) => !isTombstone(item));
  const objects = snapshot.objects.filter((key) => !isHeldKey(key));
  if (items.length === 0 && objects.length === 0) {
    const status = snapshot.items.some(isTombstone) ? 'already_erased' : 'nothing_held';
    return { callId, status, objects: 0, items: 0, signalwireDeleted: 0, signalwire: 'none_found' };
  }

  const uuids = await signalWireUuids(objects, deps);
  let signalwireDeleted = 0;
  if (deps.signalwire) {
    for (const uuid of uuids) {
      await deps.signalwire.deleteRecording(uuid);
      signalwireDeleted += 1;
    }
  }
  const signalwire = uuids.length === 0 ? 'none_found' : deps.signalwire ? 'deleted' : 'not_configured';
  if (signalwire === 'not_configured') {
    logger.warn('SignalWire credentials not configured: their copies of the recordings were not deleted', {
      call_id: callId,
      recordings: uuids.length,
    });
  }

  await deps.consent.markErased(callId, {
    objects: objects.length,
    items: items.length,
    reason: request.reason,
    requestedBy: request.requestedBy,
    signalwireDeleted,
    signalwire,
  });

  for (const key of objects) await deps.data.deleteObject(key);
  const consentLast = [...items.filter((i) => i.sk !== SK.consent), ...items.filter((i) => i.sk === SK.consent)];
  for (const item of consentLast) await deps.data.deleteItem(callId, item.sk);
  await sweepConsentWrites(callId, deps);

  logger.info('call erased', { call_id: callId, objects: objects.length, items: items.length, signalwireDeleted });
  return { callId, status: 'erased', objects: objects.length, items: items.length, signalwireDeleted, signalwire };
}

/** Step 5 of {@link eraseCall}: delete consent items and audit events written while the erasure ran. */
async function sweepConsentWrites(callId: string, deps: PrivacyDeps): Promise<void> {
  const late = (await deps.data.listItems(callId)).filter(
    (item) => !isTombstone(item) && (item.sk === SK.consent || item.sk.startsWith(SK.eventPrefix)),
  );
  for (const item of late) await deps.data.deleteItem(callId, item.sk);
  if (late.length > 0) logger.warn('erasure deleted items written while it ran', { call_id: callId, items: late.length });
}

/** SignalWire uuids of the call's recordings, from the URLs in its metadata documents. */
async function signalWireUuids(objects: string[], deps: PrivacyDeps): Promise<string[]> {
  const uuids = new Set<string>();
  for (const key of objects.filter(isMetadataKey)) {
    const doc = await deps.data.readJson(key);
    const { url, signalwireRecordingId } = (typeof doc === 'object' && doc !== null ? doc : {}) as {
      url?: unknown;
      signalwireRecordingId?: unknown;
    };
    // The id SignalWire's callback named, else the one in its recording URL.
    const uuid =
      typeof signalwireRecordingId === 'string'
        ? signalwireRecordingId
        : typeof url === 'string'
          ? recordingUuidFromUrl(url)
          : undefined;
    if (uuid) uuids.add(uuid);
  }
  return [...uuids].sort();
}
