import { eventSortKey, SK } from '#shared/storage/layout.js';
import { newConsentRecord, nextConsent, sanitizeDetail } from './transitions.js';
import { UNKNOWN_JURISDICTION } from './jurisdictions.js';
import {
  type AuditEvent,
  type AuditEventType,
  CallErasedError,
  type CallInit,
  type ConsentRecord,
  type ConsentState,
  type ConsentStore,
  type RecordingControl,
} from './types.js';

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
 * An erased call refuses every write and getConsent, as there; there are no legal holds here.
 */
export class InMemoryConsentStore implements ConsentStore {
  private readonly records = new Map<string, ConsentRecord>();
  private readonly events = new Map<string, StoredEvent[]>();
  private readonly controls = new Map<string, RecordingControl>();
  private readonly retentionDays: number;
  private readonly clock: () => Date;

  constructor(options: InMemoryConsentStoreOptions = {}) {
    this.retentionDays = options.retentionDays ?? 90;
    this.clock = options.clock ?? (() => new Date());
  }

  async getConsent(callId: string): Promise<ConsentRecord | undefined> {
    this.refuseIfErased(callId);
    const record = this.records.get(callId);
    return record ? { ...record } : undefined;
  }

  async ensureCall(callId: string, init: CallInit): Promise<ConsentRecord> {
    this.refuseIfErased(callId);
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
    this.refuseIfErased(callId);
    const now = this.clock();
    const current =
      this.records.get(callId) ?? newConsentRecord(callId, { jurisdiction: UNKNOWN_JURISDICTION }, now, this.retentionDays);
    const next = nextConsent(current, state, evidence, now, this.retentionDays) ?? current;
    this.records.set(callId, next);
    return { ...next };
  }

  async appendEvent(callId: string, event: { type: AuditEventType; detail?: AuditEvent['detail'] }): Promise<void> {
    if (event.type === 'erased') return this.markErased(callId, event.detail);
    this.refuseIfErased(callId);
    const at = this.clock().toISOString();
    const list = this.events.get(callId) ?? [];
    let seq = 0;
    while (list.some((e) => e.sk === eventSortKey(at, seq))) seq += 1;
    this.insertEvent(callId, { sk: eventSortKey(at, seq), type: event.type, at, detail: event.detail });
  }

  async markErased(callId: string, detail: AuditEvent['detail']): Promise<void> {
    if (this.erased(callId)) return;
    this.insertEvent(callId, { sk: SK.erasedTombstone, type: 'erased', at: this.clock().toISOString(), detail });
  }

  async listEvents(callId: string): Promise<AuditEvent[]> {
    return (this.events.get(callId) ?? []).map(({ sk: _sk, detail, ...rest }) => ({
      ...rest,
      ...(detail ? { detail: { ...detail } } : {}),
    }));
  }

  private erased(callId: string): boolean {
    return (this.events.get(callId) ?? []).some((e) => e.sk === SK.erasedTombstone);
  }

  private refuseIfErased(callId: string): void {
    if (this.erased(callId)) throw new CallErasedError(`call ${callId} was erased: nothing about it may be stored again`);
  }

  private insertEvent(callId: string, event: StoredEvent): void {
    const list = this.events.get(callId) ?? [];
    const detail = sanitizeDetail(event.detail);
    list.push({ sk: event.sk, type: event.type, at: event.at, ...(detail ? { detail } : {}) });
    list.sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    this.events.set(callId, list);
  }

  async getRecordingControl(callId: string, controlId: string): Promise<RecordingControl | undefined> {
    this.refuseIfErased(callId);
    const control = this.controls.get(`${callId}\u0000${controlId}`);
    return control ? { ...control, ended: [...control.ended] } : undefined;
  }

  async putRecordingControl(control: RecordingControl, expectedVersion: number | undefined): Promise<boolean> {
    this.refuseIfErased(control.callId);
    const key = `${control.callId}\u0000${control.controlId}`;
    if (this.controls.get(key)?.version !== expectedVersion) return false;
    this.controls.set(key, { ...control, ended: [...control.ended] });
    return true;
  }

  async callsForCaller(callerHash: string): Promise<string[]> {
    return [...this.records.values()]
      .filter((r) => r.callerHash === callerHash)
      .map((r) => r.callId)
      .sort();
  }
}
