import { callerHash } from '#shared/consent/caller-hash.js';
import { logger } from '#shared/observability/logger.js';
import type { PrivacyDeps } from './deps.js';
import { evidenceExpiresAt, isHeldKey, isMetadataKey, SK } from '#shared/storage/layout.js';
import type { StoredItem } from '#shared/storage/call-data.js';
import { DEFAULT_WRITER_LEASE_MS, type OperatorLock, withCallLock } from '#shared/storage/write-gate.js';
import { nowOf } from '#shared/clock.js';
import { eraseExports } from './export-delivery.js';
import { recordingUuidFromUrl } from '#shared/signalwire/recordings.js';
import { isTombstone, snapshotCall, type CallSnapshot } from '#shared/storage/protection.js';
import { LegalHoldError, type CallerRef, type EraseCallerResult, type EraseCallResult, type OperatorRequest } from './types.js';

/**
 * Erase everything held about one call: SignalWire's copies of its recordings (when credentials
 * are configured), the S3 objects (metadata, archived audio) and the table items (consent,
 * audit events, ingest ledger, recording control), leaving an `erased` tombstone event.
 *
 * Complete whatever runs beside it (issue #12 point 1), through the call's write gate
 * (shared/storage/write-gate.ts):
 * 1. Under the call's operator lock (no hold, release or second erasure interleaves), a held
 *    call is refused before anything changes ({@link LegalHoldError}).
 * 2. `beginErasure`: from this instant every writer (webhook, SWAIG tool, payment audit, archive
 *    job) is refused, and the gate item carries the caller's keyed hash, so an erasure by caller
 *    keeps finding this call until it is complete, though the consent item goes.
 * 3. Drain: wait for the writers that entered before, up to their lease (longer than their
 *    Lambda's timeout), so that after it nothing more can land.
 * 4. SignalWire first: the uuid of their copy is only in our metadata; a failure there throws
 *    before anything local is deleted, the call stays refused to writers, and the retry resumes.
 * 5. The tombstone, then S3 objects and table items (the gate item stays: it keeps writers out).
 * 6. Verify: the call is listed again; anything found is deleted once more and listed again.
 *    Only an empty listing after a complete drain reports `erased` (and marks the gate erased);
 *    otherwise `incomplete`, saying what remains, and a rerun finishes it.
 *
 * Idempotent: the tombstone is written once; a call holding nothing but tombstones reports
 * `already_erased` and writes nothing. A call with nothing at all reports `nothing_held` and
 * writes nothing (no data, not even a lock, is created for an unknown id).
 */
export async function eraseCall(callId: string, request: OperatorRequest, deps: PrivacyDeps): Promise<EraseCallResult> {
  const before = await snapshotCall(callId, deps.data);
  if (before.held) throw new LegalHoldError([callId]);
  const guard = await deps.gate.read(callId);
  if (guard.erasure !== 'erasing' && erasable(before).length === 0) {
    const status = before.items.some(isTombstone) ? 'already_erased' : 'nothing_held';
    return { callId, status, objects: 0, items: 0, signalwireDeleted: 0, signalwire: 'none_found' };
  }
  return withCallLock(deps.gate, callId, 'erase', (lock) => eraseLocked(lock, before, request, deps));
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
  for (const callId of callIds) calls.push(await eraseCall(callId, request, deps));
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

/** What erasure deletes: every item but the tombstones and the gate, every object outside legal-hold/. */
function erasable(snapshot: CallSnapshot): Array<{ item: StoredItem } | { key: string }> {
  return [
    ...snapshot.items.filter((item) => !isTombstone(item) && item.sk !== SK.guard).map((item) => ({ item })),
    ...snapshot.objects.filter((key) => !isHeldKey(key)).map((key) => ({ key })),
  ];
}

/** How long erasure waits for writers that entered before it began: their longest lease. */
const DEFAULT_DRAIN_BUDGET_MS = DEFAULT_WRITER_LEASE_MS;
/** Deletion passes before erasure reports `incomplete` (the second one only deletes what a slow listing missed). */
const ERASE_PASSES = 2;

async function eraseLocked(
  lock: OperatorLock,
  before: CallSnapshot,
  request: OperatorRequest,
  deps: PrivacyDeps,
): Promise<EraseCallResult> {
  const { callId } = lock;
  const callerHashAttribute = before.items.find((i) => i.sk === SK.consent)?.attributes.callerHash;
  const hash = typeof callerHashAttribute === 'string' ? callerHashAttribute : undefined;
  const writers = await deps.gate.beginErasure(lock, hash);
  const writersInFlight = await deps.gate.drain(callId, writers, deps.drainBudgetMs ?? DEFAULT_DRAIN_BUDGET_MS);

  // The listing that counts: every writer that could add to it has finished or is refused.
  let snapshot = await snapshotCall(callId, deps.data);
  const { signalwireDeleted, signalwire } = await deleteSignalWireCopies(snapshot, deps);
  const first = erasable(snapshot);
  const counts = {
    objects: first.filter((e) => 'key' in e).length,
    items: first.filter((e) => 'item' in e).length,
  };
  await deps.consent.markErased(callId, {
    ...counts,
    reason: request.reason,
    requestedBy: request.requestedBy,
    signalwireDeleted,
    signalwire,
  });

  // Stored exports embed this call's data: its own, and its caller's (which holds all their calls).
  const exportsDeleted = await eraseExports({ callIds: [callId], callerHashes: hash ? [hash] : [] }, deps);

  let remaining = first;
  for (let pass = 0; pass < ERASE_PASSES && remaining.length > 0; pass += 1) {
    for (const entry of remaining) {
      if ('key' in entry) await deps.data.deleteObject(entry.key);
      else await deps.data.deleteItem(callId, entry.item.sk);
    }
    snapshot = await snapshotCall(callId, deps.data);
    remaining = erasable(snapshot);
  }

  if (remaining.length > 0 || writersInFlight > 0) {
    const left = {
      objects: remaining.filter((e) => 'key' in e).length,
      items: remaining.filter((e) => 'item' in e).length,
      writersInFlight,
    };
    logger.error('erasure incomplete: run it again', { call_id: callId, ...left });
    return { callId, status: 'incomplete', ...counts, signalwireDeleted, signalwire, remaining: left };
  }
  await deps.gate.completeErasure(lock, evidenceExpiresAt(nowOf(deps), deps.retentionDays));
  logger.info('call erased', { call_id: callId, ...counts, signalwireDeleted, exportsDeleted });
  return { callId, status: 'erased', ...counts, signalwireDeleted, signalwire };
}

async function deleteSignalWireCopies(
  snapshot: CallSnapshot,
  deps: PrivacyDeps,
): Promise<Pick<EraseCallResult, 'signalwireDeleted' | 'signalwire'>> {
  const uuids = await signalWireUuids(
    snapshot.objects.filter((key) => !isHeldKey(key)),
    deps,
  );
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
      call_id: snapshot.callId,
      recordings: uuids.length,
    });
  }
  return { signalwireDeleted, signalwire };
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
