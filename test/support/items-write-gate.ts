import type { CallDataStore } from '#shared/storage/call-data.js';
import { callProtection } from '#shared/storage/protection.js';
import type { WriteGate } from '#shared/storage/write-gate.js';

/**
 * A write gate for in-memory tests that reads hold and erasure from the call's items (the hold
 * marker, the tombstone) on every enter, as the DynamoDB gate reads its GUARD item. It has no
 * writers to wait for: the concurrency half of the gate is tested against the emulator
 * (test/integration/write-gate.test.ts, test/e2e/erasure-under-load.test.ts).
 */
export function itemsWriteGate(data: Pick<CallDataStore, 'listItems'>): WriteGate {
  return {
    async enter(callId) {
      const { held, erased } = await callProtection(callId, data);
      if (erased && !held) return 'erased';
      return { held, leave: async () => undefined };
    },
  };
}
