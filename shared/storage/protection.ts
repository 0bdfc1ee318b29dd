import type { CallDataStore, StoredItem } from './call-data.js';
import { isHeldKey, LEGAL_HOLD_EXPIRES_AT, SK, TABLE } from './layout.js';

/** The `LEGAL_HOLD` item of a held call; it carries no expiresAt, so DynamoDB TTL never takes it. */
export interface LegalHoldMarker {
  since: string;
  reason: string;
  requestedBy: string;
}

/** The reason recorded when a hold marker is found without one. */
export const DEFAULT_HOLD_REASON = 'legal-hold';

/** Everything stored for a call at one moment, and whether it is under legal hold. */
export interface CallSnapshot {
  callId: string;
  items: StoredItem[];
  objects: string[];
  marker: LegalHoldMarker | undefined;
  /**
   * Held when the marker item exists, the consent item says so, or anything sits under
   * legal-hold/: any one suffices, so a hold or release interrupted halfway still protects.
   */
  held: boolean;
}

export async function snapshotCall(
  callId: string,
  data: Pick<CallDataStore, 'listItems' | 'listObjects'>,
): Promise<CallSnapshot> {
  const [items, objects] = await Promise.all([data.listItems(callId), data.listObjects(callId)]);
  const { marker, held } = holdFromItems(items);
  return { callId, items, objects, marker, held: held || objects.some(isHeldKey) };
}

/** The hold as the table tells it: the marker item, or the consent item's `legalHold` flag. */
function holdFromItems(items: StoredItem[]): { marker: LegalHoldMarker | undefined; held: boolean } {
  const markerItem = items.find((i) => i.sk === SK.legalHold);
  const consent = items.find((i) => i.sk === SK.consent);
  const marker = markerItem ? toMarker(markerItem.attributes) : undefined;
  return { marker, held: marker !== undefined || consent?.attributes.legalHold === true };
}

/** What a writer outside the privacy operations must know before it stores anything for a call. */
export interface CallProtection {
  /** Under legal hold: the marker item exists or the consent item carries the flag. */
  held: boolean;
  marker: LegalHoldMarker | undefined;
  /** An `erased` tombstone exists: someone asked for this call's data to be gone. */
  erased: boolean;
}

/**
 * Legal hold and erasure of a call, read from its table items alone (one consistent query, no
 * bucket access), for the recording-status webhook, which may not list or read the bucket.
 *
 * The same test as {@link snapshotCall} minus its third signal (objects under legal-hold/): the
 * marker alone covers every state an interrupted hold or release leaves behind, because hold
 * writes it first and release deletes it last. Objects under legal-hold/ without a marker only
 * arise from a release racing a webhook; erasure still refuses such a call (it uses the full
 * snapshot) and a rerun of `hold --release` moves them back.
 */
export async function callProtection(callId: string, data: Pick<CallDataStore, 'listItems'>): Promise<CallProtection> {
  const items = await data.listItems(callId);
  const { marker, held } = holdFromItems(items);
  return { held, marker, erased: items.some(isTombstone) };
}

function toMarker(attributes: Record<string, unknown>): LegalHoldMarker {
  const text = (name: string): string => (typeof attributes[name] === 'string' ? (attributes[name] as string) : '');
  return { since: text('since'), reason: text('reason'), requestedBy: text('requestedBy') };
}

/** An audit event item of type `erased`: the tombstones erasure leaves and never deletes. */
export const isTombstone = (item: StoredItem): boolean => item.sk.startsWith(SK.eventPrefix) && item.attributes.type === 'erased';

/**
 * Pin every item of a held call to expiresAt = {@link LEGAL_HOLD_EXPIRES_AT} (never), so DynamoDB
 * TTL cannot delete held evidence; the marker itself has no expiry at all. Idempotent; returns
 * how many items it changed. Used by legal hold (privacy) and by recording ingest, whose audit
 * event and ledger item arrive after the hold was set.
 */
export async function pinHeldItems(callId: string, data: Pick<CallDataStore, 'listItems' | 'setItemExpiry'>): Promise<number> {
  let changed = 0;
  for (const item of await data.listItems(callId)) {
    if (item.sk === SK.legalHold || item.attributes[TABLE.ttlAttribute] === LEGAL_HOLD_EXPIRES_AT) continue;
    await data.setItemExpiry(callId, item.sk, LEGAL_HOLD_EXPIRES_AT);
    changed += 1;
  }
  return changed;
}
