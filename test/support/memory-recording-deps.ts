import { InMemoryConsentStore } from '#shared/consent/memory-consent-store.js';
import type { IngestDeps } from '#shared/recordings/ingest.js';
import { InMemoryIngestLedger } from '#shared/recordings/ingest-ledger.js';
import { InProcessJobQueue } from '#shared/recordings/job-queue.js';
import { InMemoryRecordingStore } from '#shared/recordings/memory-recording-store.js';

/**
 * Recording ingest's dependencies on in-memory stores, for running the real recording-status
 * handler without the emulators (install with useRecordingDepsForTests). No call is held or
 * erased: listItems finds nothing, so nothing is pinned or put under legal-hold/.
 */
export function memoryRecordingDeps(): IngestDeps & { consent: InMemoryConsentStore } {
  return {
    consent: new InMemoryConsentStore(),
    metadata: new InMemoryRecordingStore(),
    ledger: new InMemoryIngestLedger(),
    queue: new InProcessJobQueue(),
    callData: { listItems: async () => [], setItemExpiry: async () => undefined, putJson: async () => undefined },
    gate: { enter: async () => ({ held: false, leave: async () => undefined }) },
    settings: { stereo: true, retentionDays: 30 },
    inFlightPollDelayMs: 0,
  };
}
