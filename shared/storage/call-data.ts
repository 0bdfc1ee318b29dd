/**
 * Port over everything stored for one call, across the table and the bucket: what erasure,
 * export and legal hold read, move and delete. `AwsCallDataStore` (call-data-store.ts) is the
 * adapter; it uses single-item writes only (dynalite, the local emulator, has no transactions).
 */

/** One table item of the call's partition (`pk = CALL#<id>`). */
export interface StoredItem {
  sk: string;
  attributes: Record<string, unknown>;
}

export interface CallDataStore {
  /** Every item of the call's partition, consistent read. */
  listItems(callId: string): Promise<StoredItem[]>;
  deleteItem(callId: string, sk: string): Promise<void>;
  /**
   * Sets the item's expiresAt (epoch seconds); a missing item is left missing. Changing the
   * consent item also bumps its version, so a concurrent optimistic writer re-reads it.
   */
  setItemExpiry(callId: string, sk: string, expiresAt: number): Promise<void>;
  /** Sets or removes `legalHold` on the consent item if there is one (bumping its version). */
  setConsentHoldFlag(callId: string, on: boolean): Promise<void>;
  /** Creates the item unless it exists; true when this call created it. */
  putItemIfAbsent(callId: string, sk: string, attributes: Record<string, unknown>): Promise<boolean>;

  /** Keys under recordings/<call>/, archive/<call>/ and legal-hold/<call>/, sorted. */
  listObjects(callId: string): Promise<string[]>;
  /** A JSON object's parsed body; undefined when absent. */
  readJson(key: string): Promise<unknown>;
  /** `retention` = tag it for the lifecycle rule's expiry (normal prefixes) or not (legal hold). */
  putJson(key: string, document: unknown, options: { retention: boolean }): Promise<void>;
  copyObject(from: string, to: string, options: { retention: boolean }): Promise<void>;
  deleteObject(key: string): Promise<void>;
}
