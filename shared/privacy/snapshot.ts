import type { StoredItem } from './call-data.js';
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
  const markerItem = items.find((i) => i.sk === SK.legalHold);
  const consent = items.find((i) => i.sk === SK.consent);
  const marker = markerItem ? toMarker(markerItem.attributes) : undefined;
  const held = marker !== undefined || consent?.attributes.legalHold === true || objects.some(isHeldKey);
  return { callId, items, objects, marker, held };
}

function toMarker(attributes: Record<string, unknown>): LegalHoldMarker {
  const text = (name: string): string => (typeof attributes[name] === 'string' ? (attributes[name] as string) : '');
  return { since: text('since'), reason: text('reason'), requestedBy: text('requestedBy') };
}

/** An audit event item of type `erased`: the tombstones erasure leaves and never deletes. */
export const isTombstone = (item: StoredItem): boolean =>
  item.sk.startsWith(SK.eventPrefix) && item.attributes.type === 'erased';
