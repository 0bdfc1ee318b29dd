import { eventSortKey } from '#shared/storage/layout.js';
import { newConsentRecord, nextConsent, sanitizeDetail } from './transitions.js';
import { UNKNOWN_JURISDICTION } from './jurisdictions.js';
import type { AuditEvent, AuditEventType, ConsentRecord, ConsentState, ConsentStore, Jurisdiction } from './types.js';

export interface InMemoryConsentStoreOptions {
  retentionDays?: number;
  /** Injected clock, so tests can pin timestamps. */
  clock?: () => Date;
}

interface StoredEvent extends AuditEvent {
  /** Sort key as the DynamoDB adapter builds it, so ordering matches. */
  sk: string;
}

/**
 * {@link ConsentStore} held in process memory, with the same state machine, retention and
 * append-only rules as `DynamoConsentStore`: the test double for modules that need consent.
 * Not for production (nothing survives the process, nothing is shared between instances).
 */
export class InMemoryConsentStore implements ConsentStore {
  private readonly records = new Map<string, ConsentRecord>();
  private readonly events = new Map<string, StoredEvent[]>();
  private readonly retentionDays: number;
  private readonly clock: () => Date;

  constructor(options: InMemoryConsentStoreOptions = {}) {
    this.retentionDays = options.retentionDays ?? 90;
    this.clock = options.clock ?? (() => new Date());
  }

  async getConsent(callId: string): Promise<ConsentRecord | undefined> {
    const record = this.records.get(callId);
    return record ? { ...record } : undefined;
  }

  async ensureCall(callId: string, init: { jurisdiction: Jurisdiction; callerHash?: string }): Promise<ConsentRecord> {
    const existing = this.records.get(callId);
    if (existing) return { ...existing };
    const record = newConsentRecord(callId, init, this.clock(), this.retentionDays);
    this.records.set(callId, record);
    return { ...record };
  }

  async setConsent(
    callId: string,
    state: Exclude<ConsentState, 'pending'>,
    evidence: { category: string },
  ): Promise<ConsentRecord> {
    const now = this.clock();
    const current =
      this.records.get(callId) ?? newConsentRecord(callId, { jurisdiction: UNKNOWN_JURISDICTION }, now, this.retentionDays);
    const next = nextConsent(current, state, evidence, now, this.retentionDays) ?? current;
    this.records.set(callId, next);
    return { ...next };
  }

  async appendEvent(callId: string, event: { type: AuditEventType; detail?: AuditEvent['detail'] }): Promise<void> {
    const at = this.clock().toISOString();
    const list = this.events.get(callId) ?? [];
    let seq = 0;
    while (list.some((e) => e.sk === eventSortKey(at, seq))) seq += 1;
    const detail = sanitizeDetail(event.detail);
    list.push({ sk: eventSortKey(at, seq), type: event.type, at, ...(detail ? { detail } : {}) });
    list.sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    this.events.set(callId, list);
  }

  async listEvents(callId: string): Promise<AuditEvent[]> {
    return (this.events.get(callId) ?? []).map(({ sk: _sk, detail, ...rest }) => ({
      ...rest,
      ...(detail ? { detail: { ...detail } } : {}),
    }));
  }

  async callsForCaller(callerHash: string): Promise<string[]> {
    return [...this.records.values()]
      .filter((r) => r.callerHash === callerHash)
      .map((r) => r.callId)
      .sort();
  }
}
