/**
 * The ingest ledger: one item per recording (DynamoDB `pk = CALL#<call_id>`,
 * `sk = RECORDING#<ledger id>`) that makes webhook ingest exactly-once without transactions.
 *
 * - A request first *claims* the entry: a conditional write that succeeds only when the entry
 *   is new, or unfinished with no live lease. The claim sets a short lease (owner + deadline).
 * - Each side effect (metadata object, audit event, queue message) is followed by a step flag
 *   written on condition that the caller still owns the lease (fencing).
 * - A retry after a fault claims again and performs only the steps whose flag is missing.
 * - When every step is done the entry is marked completed; later replays are duplicates.
 *
 * The lease must outlive one invocation (the function's timeout), so a live request is never
 * overtaken; a request that crashed holding a lease blocks retries only until it lapses.
 */
export type IngestStep = 'metadataStored' | 'auditWritten' | 'queued';

export interface LedgerEntry {
  callId: string;
  ledgerId: string;
  completed: boolean;
  steps: Record<IngestStep, boolean>;
  /** When the recording was first seen: fixed on first claim, so retries write identical metadata. */
  receivedAt: string;
  /** Consent state written into the metadata ('missing' or the stored state). */
  consent?: string;
  metadataKey?: string;
  leaseOwner?: string;
  /** Epoch milliseconds. */
  leaseUntil?: number;
  attempts: number;
}

export type ClaimResult =
  | { status: 'claimed'; entry: LedgerEntry }
  | { status: 'completed'; entry: LedgerEntry }
  | { status: 'in_flight'; entry: LedgerEntry };

export interface ClaimRequest {
  owner: string;
  now: Date;
  leaseMs: number;
  /** Epoch seconds for the item's TTL (the recording's expiry: evidence lives as long as it). */
  expiresAt: number;
}

export interface StepFacts {
  consent?: string;
  metadataKey?: string;
}

/** Port for the ledger; `DynamoIngestLedger` (ingest-ledger-store.ts) and {@link InMemoryIngestLedger}. */
export interface IngestLedger {
  claim(callId: string, ledgerId: string, request: ClaimRequest): Promise<ClaimResult>;
  /** Throws {@link LeaseLostError} when `owner` no longer holds the lease. */
  markStep(callId: string, ledgerId: string, owner: string, step: IngestStep, facts?: StepFacts): Promise<void>;
  /** Marks the entry completed and drops the lease; throws {@link LeaseLostError} like markStep. */
  complete(callId: string, ledgerId: string, owner: string): Promise<void>;
  /** Drops the lease after a failure so the sender's retry can proceed at once; no-op if not owner. */
  release(callId: string, ledgerId: string, owner: string): Promise<void>;
  get(callId: string, ledgerId: string): Promise<LedgerEntry | undefined>;
}

/** Another request took over (our lease lapsed): stop, leave the rest to the new owner. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

const NO_STEPS: Record<IngestStep, boolean> = { metadataStored: false, auditWritten: false, queued: false };

/** In-memory {@link IngestLedger} with the same claim/lease semantics, for unit tests. */
export class InMemoryIngestLedger implements IngestLedger {
  readonly entries = new Map<string, LedgerEntry>();

  private key(callId: string, ledgerId: string): string {
    return `${callId}\u0000${ledgerId}`;
  }

  async claim(callId: string, ledgerId: string, request: ClaimRequest): Promise<ClaimResult> {
    const key = this.key(callId, ledgerId);
    const existing = this.entries.get(key);
    if (existing?.completed) return { status: 'completed', entry: structuredClone(existing) };
    if (existing?.leaseUntil !== undefined && existing.leaseUntil >= request.now.getTime()) {
      return { status: 'in_flight', entry: structuredClone(existing) };
    }
    const entry: LedgerEntry = existing ?? {
      callId,
      ledgerId,
      completed: false,
      steps: { ...NO_STEPS },
      receivedAt: request.now.toISOString(),
      attempts: 0,
    };
    entry.leaseOwner = request.owner;
    entry.leaseUntil = request.now.getTime() + request.leaseMs;
    entry.attempts += 1;
    this.entries.set(key, entry);
    return { status: 'claimed', entry: structuredClone(entry) };
  }

  private owned(callId: string, ledgerId: string, owner: string): LedgerEntry {
    const entry = this.entries.get(this.key(callId, ledgerId));
    if (!entry || entry.leaseOwner !== owner) throw new LeaseLostError('lease lost');
    return entry;
  }

  async markStep(callId: string, ledgerId: string, owner: string, step: IngestStep, facts: StepFacts = {}): Promise<void> {
    const entry = this.owned(callId, ledgerId, owner);
    entry.steps[step] = true;
    if (facts.consent !== undefined) entry.consent = facts.consent;
    if (facts.metadataKey !== undefined) entry.metadataKey = facts.metadataKey;
  }

  async complete(callId: string, ledgerId: string, owner: string): Promise<void> {
    const entry = this.owned(callId, ledgerId, owner);
    entry.completed = true;
    delete entry.leaseOwner;
    delete entry.leaseUntil;
  }

  async release(callId: string, ledgerId: string, owner: string): Promise<void> {
    const entry = this.entries.get(this.key(callId, ledgerId));
    if (entry?.leaseOwner !== owner) return;
    delete entry.leaseOwner;
    delete entry.leaseUntil;
  }

  async get(callId: string, ledgerId: string): Promise<LedgerEntry | undefined> {
    const entry = this.entries.get(this.key(callId, ledgerId));
    return entry ? structuredClone(entry) : undefined;
  }
}
