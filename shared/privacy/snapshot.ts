import type { CallDataStore, StoredItem } from './call-data.js';
import type { PrivacyDeps } from './deps.js';
import { isHeldKey, SK } from './keys.js';
import type { LegalHoldMarker } from './types.js';

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

export async function snapshotCall(callId: string, deps: PrivacyDeps): Promise<CallSnapshot> {
  const [items, objects] = await Promise.all([deps.data.listItems(callId), deps.data.listObjects(callId)]);
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
