import type { OperatorGate } from '#shared/storage/write-gate.js';
import type { ConsentStore } from '#shared/consent/types.js';
import type { CallDataStore } from '#shared/storage/call-data.js';
import type { SignalWireRecordings } from '#shared/signalwire/recordings.js';
import type { ExportObjects } from '#shared/storage/export-objects.js';

/** What the privacy operations need; the operator function and the CLI each build one. */
export interface PrivacyDeps {
  data: CallDataStore;
  /** Audit trail (append-only events) and the byCaller index. */
  consent: ConsentStore;
  /** Present when SignalWire project credentials are configured. */
  signalwire?: SignalWireRecordings;
  /** Keyed-hash secret, to turn a caller's number into the hash the index holds. */
  callerHashSecret: () => Promise<string>;
  retentionDays: number;
  /** The calls' write gate and operator lock (shared/storage/write-gate.ts). */
  gate: OperatorGate;
  /** How long an operation waits for writers that entered before it; default: their longest lease. */
  drainBudgetMs?: number;
  /**
   * Where exports too big to answer inline go (export-delivery.ts); the operator function and
   * the CLI always set it. Without it every export is answered inline and erasure has no
   * exports to delete (unit tests).
   */
  exports?: {
    objects: ExportObjects;
    /** Largest operator response body, in bytes of its JSON, answered inline (EXPORT_INLINE_MAX_BYTES). */
    maxInlineBytes: number;
  };
  now?: () => Date;
}
