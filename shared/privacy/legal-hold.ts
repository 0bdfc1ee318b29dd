import { consentExpiresAt } from '#shared/consent/transitions.js';
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
import { type LegalHoldMarker, pinHeldItems, snapshotCall } from '#shared/storage/protection.js';
import { nowOf } from '#shared/clock.js';
import type { PrivacyDeps } from './deps.js';
import { CallNotFoundError, type LegalHoldResult, type OperatorRequest } from './types.js';

/**
 * Put a call under legal hold (`on`) or release it.
 *
 * Hold exempts the call from every automatic deletion and from erasure:
 * - a `LEGAL_HOLD` marker item (no expiresAt) is written first, so erasure refuses the call from
 *   that moment even if the rest of this run fails; the consent item gets `legalHold: true`;
 * - each object under recordings/<call>/ and archive/<call>/ is copied to legal-hold/<call>/…
 *   (which no lifecycle rule covers) without the retention tag, then the original is deleted;
 *   metadata documents say `expiresAt: null` and since when they are held. The objects are
 *   listed after the marker is written: a recording webhook checks for the marker after it
 *   stores (shared/recordings/ingest.ts), so any object it wrote without seeing the marker is
 *   in this listing;
 * - the `legal_hold_set` event is appended, then every item of the call (that event included)
 *   gets expiresAt = {@link LEGAL_HOLD_EXPIRES_AT} (never), so DynamoDB TTL cannot delete held
 *   evidence.
 *
 * Release moves the objects back (tagged for retention), and gives objects and items a fresh
 * expiry counted from now: S3's lifecycle rule counts days from an object's creation, and the
 * copy back creates it anew, so `now + retention` is when it will actually go and anything else
 * written into the document would be false. It also leaves a window to notice and undo a
 * mistaken release, where expiring at once would destroy evidence irrecoverably. Items get the
 * consent-evidence expiry (retention + margin), never shorter than what they had. The marker is
 * deleted last, so an interrupted release leaves the call held and can simply be run again.
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
  return on ? hold(callId, request, deps) : release(callId, request, deps);
}

async function hold(callId: string, request: OperatorRequest, deps: PrivacyDeps): Promise<LegalHoldResult> {
  const snapshot = await snapshotCall(callId, deps.data);
  if (snapshot.items.length === 0 && snapshot.objects.length === 0) throw new CallNotFoundError(callId);
  const marker: LegalHoldMarker = snapshot.marker ?? {
    since: nowOf(deps).toISOString(),
    reason: request.reason,
    requestedBy: request.requestedBy,
  };
  const created = await deps.data.putItemIfAbsent(callId, SK.legalHold, { itemType: 'legal_hold', ...marker });
  await deps.data.setConsentHoldFlag(callId, true);

  let moved = 0;
  for (const key of await deps.data.listObjects(callId)) {
    const target = heldKey(callId, key);
    if (!target) continue;
    if (isMetadataKey(key)) {
      const doc = await deps.data.readJson(key);
      if (doc === undefined) continue; // deleted meanwhile
      await deps.data.putJson(target, heldMetadataDocument(doc as RecordingMetadataDocument, marker), { retention: false });
    } else {
      await deps.data.copyObject(key, target, { retention: false });
    }
    await deps.data.deleteObject(key);
    moved += 1;
  }

  if (created) {
    await deps.consent.appendEvent(callId, {
      type: 'legal_hold_set',
      detail: { reason: request.reason, requestedBy: request.requestedBy, objects: moved },
    });
  }
  const itemsUpdated = await pinHeldItems(callId, deps.data);
  logger.info('legal hold set', { call_id: callId, objects: moved, items: itemsUpdated, created });
  return { callId, status: created ? 'held' : 'already_held', objectsMoved: moved, itemsUpdated };
}

async function release(callId: string, request: OperatorRequest, deps: PrivacyDeps): Promise<LegalHoldResult> {
  const snapshot = await snapshotCall(callId, deps.data);
  if (!snapshot.held) return { callId, status: 'not_held', objectsMoved: 0, itemsUpdated: 0 };
  const now = nowOf(deps);
  const objectExpiry = expiryFrom(now, deps.retentionDays).toISOString();

  let moved = 0;
  for (const key of snapshot.objects.filter(isHeldKey)) {
    const target = releasedKey(callId, key);
    if (!target) {
      // Not put there by hold(): leave it rather than guess where it belongs.
      logger.warn('object under legal-hold/ with unknown origin left in place', { call_id: callId });
      continue;
    }
    if (isMetadataKey(key)) {
      const doc = await deps.data.readJson(key);
      if (doc === undefined) continue;
      const { legalHold: _released, ...rest } = doc as RecordingMetadataDocument;
      await deps.data.putJson(target, { ...rest, expiresAt: objectExpiry }, { retention: true });
    } else {
      await deps.data.copyObject(key, target, { retention: true });
    }
    await deps.data.deleteObject(key);
    moved += 1;
  }
  await deps.data.setConsentHoldFlag(callId, false);
  if (snapshot.marker) {
    await deps.consent.appendEvent(callId, {
      type: 'legal_hold_released',
      detail: { reason: request.reason, requestedBy: request.requestedBy, objects: moved },
    });
  }

  const itemExpiry = consentExpiresAt(now, deps.retentionDays);
  let itemsUpdated = 0;
  for (const item of await deps.data.listItems(callId)) {
    if (item.sk === SK.legalHold) continue;
    const current = item.attributes[TABLE.ttlAttribute];
    // Keep a longer expiry an item already had; replace "never" and anything shorter.
    if (typeof current === 'number' && current >= itemExpiry && current < LEGAL_HOLD_EXPIRES_AT) continue;
    await deps.data.setItemExpiry(callId, item.sk, itemExpiry);
    itemsUpdated += 1;
  }
  await deps.data.deleteItem(callId, SK.legalHold);
  logger.info('legal hold released', { call_id: callId, objects: moved, items: itemsUpdated });
  return { callId, status: 'released', objectsMoved: moved, itemsUpdated };
}
