import { consentExpiresAt } from '#shared/consent/transitions.js';
import { dayIndexAttributes } from '#shared/storage/day-index.js';
import { logger } from '#shared/observability/logger.js';
import { heldMetadataDocument, type RecordingMetadataDocument } from '#shared/recordings/metadata.js';
import {
  expiryFrom,
  heldKey,
  isHeldKey,
  isMetadataKey,
  LEGAL_HOLD_EXPIRES_AT,
  releasedKey,
  SK,
  TABLE,
} from '#shared/storage/layout.js';
import { type CallSnapshot, type LegalHoldMarker, pinHeldItems, snapshotCall } from '#shared/storage/protection.js';
import { DEFAULT_WRITER_LEASE_MS, type OperatorLock, PhaseConflictError, withCallLock } from '#shared/storage/write-gate.js';
import { nowOf } from '#shared/clock.js';
import type { PrivacyDeps } from './deps.js';
import { CallNotFoundError, type LegalHoldResult, type OperatorRequest } from './types.js';

/**
 * Put a call under legal hold (`on`) or release it.
 *
 * Hold exempts the call from every automatic deletion and from erasure:
 * - under the call's operator lock (no erasure or second hold/release interleaves), a
 *   `LEGAL_HOLD` marker item (no expiresAt) is written, so erasure refuses the call from that
 *   moment even if the rest of this run fails; the consent item gets `legalHold: true`;
 * - the call's write gate turns held: every writer entering from then on writes the held layout
 *   itself (objects under legal-hold/, items that never expire: shared/storage/write-gate.ts);
 * - the writers that entered before the change are waited for (drain), then each object under
 *   recordings/<call>/ and archive/<call>/ is copied to legal-hold/<call>/… (which no lifecycle
 *   rule covers) without the retention tag, and the original is deleted; metadata documents say
 *   `expiresAt: null` and since when they are held;
 * - the `legal_hold_set` event is appended, then every item of the call (that event included)
 *   gets expiresAt = {@link LEGAL_HOLD_EXPIRES_AT} (never), so DynamoDB TTL cannot delete held
 *   evidence;
 * - verify: the call is listed again; anything still outside legal-hold/ or still expiring is
 *   moved or pinned once more, and if anything is left the answer is `incomplete`.
 *
 * Release is the mirror image: the gate turns normal, held writers are waited for, objects move
 * back (tagged for retention). Retention counts from the recording, not from the object (issue
 * #12 point 3): a metadata document gets back `expiresAt = receivedAt + retention`, what the
 * caller was told, and the retention enforcer (shared/retention) deletes it then, although the
 * copy back restarted S3's lifecycle clock (the lifecycle rule stays the backstop). A recording
 * whose deadline passed during the hold is due at once: the next daily run takes it, which is
 * the window to notice and undo a mistaken release. Items get the consent-evidence expiry
 * (retention + margin) from now, never shorter than what they had. The marker is deleted only
 * after a listing finds nothing left under legal-hold/, so an interrupted or incomplete release
 * leaves the call held (erasure still refuses it) and can simply be run again.
 *
 * Both directions are idempotent and convergent: a rerun finishes what an interrupted one left,
 * and the audit event is written once per actual change.
 */
export async function setLegalHold(
  callId: string,
  on: boolean,
  request: OperatorRequest,
  deps: PrivacyDeps,
): Promise<LegalHoldResult> {
  const snapshot = await snapshotCall(callId, deps.data);
  if (on) {
    if (!snapshot.items.some((i) => i.sk !== SK.guard) && snapshot.objects.length === 0) throw new CallNotFoundError(callId);
    return withCallLock(deps.gate, callId, 'hold', (lock) => hold(lock, snapshot, request, deps));
  }
  if (!snapshot.held && !(await deps.gate.read(callId)).held) {
    return { callId, status: 'not_held', objectsMoved: 0, itemsUpdated: 0 };
  }
  return withCallLock(deps.gate, callId, 'release', (lock) => release(lock, snapshot, request, deps));
}

/** Verification passes (the first moves everything; a later one only what a slow listing missed). */
const PASSES = 2;

async function hold(
  lock: OperatorLock,
  before: CallSnapshot,
  request: OperatorRequest,
  deps: PrivacyDeps,
): Promise<LegalHoldResult> {
  const { callId } = lock;
  const state = await deps.gate.read(callId);
  if (state.erasure) throw new PhaseConflictError(state);
  const marker: LegalHoldMarker = before.marker ?? {
    since: nowOf(deps).toISOString(),
    reason: request.reason,
    requestedBy: request.requestedBy,
  };
  // The marker before the gate turns: a writer that sees the call held finds the hold's reason.
  const created = await deps.data.putItemIfAbsent(callId, SK.legalHold, {
    itemType: 'legal_hold',
    ...marker,
    // Listed under the index's HELD partition ("what is held"); the release deletes the marker.
    ...dayIndexAttributes('hold', marker.since, callId),
  });
  await deps.data.setConsentHoldFlag(callId, true);
  const writers = await deps.gate.setHeld(lock, true);
  const writersInFlight = await deps.gate.drain(callId, writers, deps.drainBudgetMs ?? DEFAULT_WRITER_LEASE_MS);

  let moved = 0;
  let itemsUpdated = 0;
  let left = { objects: 0, items: 0 };
  for (let pass = 0; pass < PASSES; pass += 1) {
    moved += await moveObjects(
      callId,
      (await deps.data.listObjects(callId)).filter((key) => !isHeldKey(key)),
      'hold',
      deps,
      marker,
    );
    if (pass === 0 && created) {
      await deps.consent.appendEvent(callId, {
        type: 'legal_hold_set',
        detail: { reason: request.reason, requestedBy: request.requestedBy, objects: moved },
      });
    }
    itemsUpdated += await pinHeldItems(callId, deps.data);
    left = await unsettled(callId, 'hold', deps);
    if (left.objects + left.items === 0) break;
  }
  const complete = left.objects + left.items === 0 && writersInFlight === 0;
  if (!complete) logger.error('legal hold incomplete: run it again', { call_id: callId, ...left, writersInFlight });
  logger.info('legal hold set', { call_id: callId, objects: moved, items: itemsUpdated, created });
  return {
    callId,
    status: !complete ? 'incomplete' : created ? 'held' : 'already_held',
    objectsMoved: moved,
    itemsUpdated,
    ...(complete ? {} : { remaining: { ...left, writersInFlight } }),
  };
}

async function release(
  lock: OperatorLock,
  before: CallSnapshot,
  request: OperatorRequest,
  deps: PrivacyDeps,
): Promise<LegalHoldResult> {
  const { callId } = lock;
  const writers = await deps.gate.setHeld(lock, false);
  const writersInFlight = await deps.gate.drain(callId, writers, deps.drainBudgetMs ?? DEFAULT_WRITER_LEASE_MS);
  const now = nowOf(deps);

  let moved = 0;
  let itemsUpdated = 0;
  let left = { objects: 0, items: 0 };
  for (let pass = 0; pass < PASSES; pass += 1) {
    moved += await moveObjects(callId, (await deps.data.listObjects(callId)).filter(isHeldKey), 'release', deps, undefined, now);
    await deps.data.setConsentHoldFlag(callId, false);
    if (pass === 0 && before.marker) {
      await deps.consent.appendEvent(callId, {
        type: 'legal_hold_released',
        detail: { reason: request.reason, requestedBy: request.requestedBy, objects: moved },
      });
    }
    itemsUpdated += await unpinItems(callId, deps, now);
    left = await unsettled(callId, 'release', deps);
    if (left.objects + left.items === 0) break;
  }
  const complete = left.objects + left.items === 0 && writersInFlight === 0;
  if (!complete) {
    // The marker stays: the call still counts as held (erasure refuses it) until a rerun completes.
    logger.error('legal hold release incomplete: run it again', { call_id: callId, ...left, writersInFlight });
    return { callId, status: 'incomplete', objectsMoved: moved, itemsUpdated, remaining: { ...left, writersInFlight } };
  }
  await deps.data.deleteItem(callId, SK.legalHold);
  logger.info('legal hold released', { call_id: callId, objects: moved, items: itemsUpdated });
  return { callId, status: 'released', objectsMoved: moved, itemsUpdated };
}

/** Move objects into (hold) or out of (release) legal-hold/; returns how many moved. */
async function moveObjects(
  callId: string,
  keys: string[],
  direction: 'hold' | 'release',
  deps: PrivacyDeps,
  marker?: LegalHoldMarker,
  now?: Date,
): Promise<number> {
  let moved = 0;
  const fallbackExpiry = now ? expiryFrom(now, deps.retentionDays).toISOString() : undefined;
  for (const key of keys) {
    const target = direction === 'hold' ? heldKey(callId, key) : releasedKey(callId, key);
    if (!target) {
      // Not put there by hold(): leave it rather than guess where it belongs.
      logger.warn('object of unknown origin left in place', { call_id: callId, direction });
      continue;
    }
    const retention = direction === 'release';
    if (isMetadataKey(key)) {
      const doc = await deps.data.readJson(key);
      if (doc === undefined) continue; // deleted meanwhile
      const { legalHold: _released, ...rest } = doc as RecordingMetadataDocument;
      const next = marker
        ? heldMetadataDocument(doc as RecordingMetadataDocument, marker)
        : { ...rest, expiresAt: recordingDeadline(rest.receivedAt, deps.retentionDays) ?? fallbackExpiry };
      await deps.data.putJson(target, next, { retention });
    } else {
      await deps.data.copyObject(key, target, { retention });
    }
    await deps.data.deleteObject(key);
    moved += 1;
  }
  return moved;
}

/** When a recording received at `receivedAt` must be gone: what the caller was told. */
function recordingDeadline(receivedAt: unknown, retentionDays: number): string | undefined {
  const received = typeof receivedAt === 'string' ? new Date(receivedAt) : undefined;
  return received && !Number.isNaN(received.getTime()) ? expiryFrom(received, retentionDays).toISOString() : undefined;
}

/** Give a released call's items their expiry back: the evidence expiry from now, or a longer one they had. */
async function unpinItems(callId: string, deps: PrivacyDeps, now: Date): Promise<number> {
  const itemExpiry = consentExpiresAt(now, deps.retentionDays);
  let updated = 0;
  for (const item of await deps.data.listItems(callId)) {
    if (item.sk === SK.legalHold) continue;
    const current = item.attributes[TABLE.ttlAttribute];
    // Keep a longer expiry an item already had; replace "never" and anything shorter.
    if (typeof current === 'number' && current >= itemExpiry && current < LEGAL_HOLD_EXPIRES_AT) continue;
    await deps.data.setItemExpiry(callId, item.sk, itemExpiry);
    updated += 1;
  }
  return updated;
}

/** What a listing still finds out of place: objects on the wrong side of legal-hold/, items pinned or not as they should be. */
async function unsettled(
  callId: string,
  direction: 'hold' | 'release',
  deps: PrivacyDeps,
): Promise<{ objects: number; items: number }> {
  const { items, objects } = await snapshotCall(callId, deps.data);
  const held = direction === 'hold';
  return {
    objects: objects.filter((key) => isHeldKey(key) !== held && (held ? heldKey(callId, key) : releasedKey(callId, key))).length,
    items: items.filter((item) => {
      if (item.sk === SK.legalHold) return false;
      const pinned = item.attributes[TABLE.ttlAttribute] === LEGAL_HOLD_EXPIRES_AT;
      return held ? !pinned : pinned;
    }).length,
  };
}
