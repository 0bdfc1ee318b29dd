import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '#shared/aws/clients.js';
import { isConditionalCheckFailed, queryAll, versionCondition } from '#shared/aws/dynamo.js';
import { callKey, eventSortKey, LEGAL_HOLD_EXPIRES_AT, SK, TABLE } from '#shared/storage/layout.js';
import { DynamoWriteGate, type OperatorGate } from '#shared/storage/write-gate.js';
import { dayIndexAttributes, isIncidentEvent } from '#shared/storage/day-index.js';
import { getConfig } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { auditEventFromItem, consentExpiresAt, newConsentRecord, nextConsent, sanitizeDetail } from './transitions.js';
import { UNKNOWN_JURISDICTION } from './jurisdictions.js';
import {
  CallErasedError,
  ConsentConflictError,
  ConsentStoreUnavailableError,
  type AuditEvent,
  type AuditEventType,
  type CallInit,
  type ConsentRecord,
  type ConsentState,
  type ConsentStore,
  type RecordingControl,
} from './types.js';

export interface DynamoConsentStoreOptions {
  /** Injected clock, so tests can pin timestamps (e.g. to force same-millisecond events). */
  clock?: () => Date;
  /**
   * Per-request deadline. A slow table must not hold a live call: past this the request is
   * aborted and the store reports {@link ConsentStoreUnavailableError}, so callers fail closed.
   */
  timeoutMs?: number;
  /** The call's write gate; by default the one on this table's GUARD items. */
  gate?: OperatorGate;
}

/** Optimistic-concurrency retries before contention is reported as unavailability. */
const MAX_WRITE_ATTEMPTS = 8;
/** Same-millisecond events get sequence numbers; this many collisions in one ms is a fault. */
const MAX_EVENT_SEQ = 1000;

/**
 * {@link ConsentStore} on the single DynamoDB table (see shared/aws/table.ts).
 *
 * Per call (pk = `CALL#<id>`): one `CONSENT` item, changed only by a put conditional on the
 * version read (optimistic concurrency, retried), and `EVENT#<iso>#<seq>` items, each written
 * with `attribute_not_exists` so the trail is append-only. No transactions: dynalite (the local
 * emulator) lacks TransactWriteItems, and none are needed. Every item carries `expiresAt`.
 * Any SDK failure becomes {@link ConsentStoreUnavailableError}.
 *
 * An erased call stays erased (issue #11 point 6), and an erasure is complete whatever writes
 * beside it (issue #12 point 1). Every write here (ensureCall, setConsent, appendEvent,
 * putRecordingControl) enters the call's write gate first (shared/storage/write-gate.ts) and
 * leaves it after: the gate refuses a call whose erasure has begun ({@link CallErasedError}),
 * and an erasure waits for the writers that entered before it began, so what they wrote is in
 * its one listing of the call and nothing lands after it. The gate also says whether the call
 * is under legal hold: then what is written here never expires (`expiresAt` pinned to
 * {@link LEGAL_HOLD_EXPIRES_AT}), like everything else the hold keeps.
 * getConsent and getRecordingControl read the gate and the tombstone key with the item they
 * need (consistent reads, in parallel), so a recording never starts for an erased call; the
 * tombstone check also covers calls erased before the gate existed.
 */
export class DynamoConsentStore implements ConsentStore {
  private readonly clock: () => Date;
  private readonly timeoutMs: number;
  private readonly gate: OperatorGate;

  constructor(
    private readonly client: DynamoDBDocumentClient = dynamo(),
    private readonly tableName: string = getConfig().TABLE_NAME,
    private readonly retentionDays: number = getConfig().RETENTION_DAYS,
    options: DynamoConsentStoreOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.gate =
      options.gate ??
      new DynamoWriteGate(client, tableName, {
        // Leases run on real time (an operator waits on them); the item's expiry follows this store's clock.
        guardExpiresAt: () => consentExpiresAt(this.clock(), retentionDays),
        requestOptions: () => this.requestOptions(),
      });
  }

  async getConsent(callId: string): Promise<ConsentRecord | undefined> {
    return this.guard('getConsent', () => this.readLiveConsent(callId));
  }

  async ensureCall(callId: string, init: CallInit): Promise<ConsentRecord> {
    return this.guard('ensureCall', async () => {
      const stored = await this.readLiveConsent(callId);
      if (stored) return stored;
      const created = await this.asWriter(callId, async (held) => {
        const record = pinnedIfHeld(newConsentRecord(callId, init, this.clock(), this.retentionDays), held);
        return (await this.putConsent(record, undefined)) ? record : undefined;
      });
      if (created) return created;
      const existing = await this.readLiveConsent(callId);
      if (!existing) throw new ConsentStoreUnavailableError('consent record vanished during ensureCall');
      return existing;
    });
  }

  async setConsent(
    callId: string,
    state: Exclude<ConsentState, 'pending'>,
    evidence: { category: string },
  ): Promise<ConsentRecord> {
    return this.guard('setConsent', () =>
      this.asWriter(callId, async (held) => {
        for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
          const now = this.clock();
          const { record: stored, listing } = await this.readConsentItem(callId);
          const current = stored ?? newConsentRecord(callId, { jurisdiction: UNKNOWN_JURISDICTION }, now, this.retentionDays);
          const next = nextConsent(current, state, evidence, now, this.retentionDays);
          // Already in that state: nothing to write. (A fresh record is 'pending', never requested.)
          if (!next && stored) return stored;
          if (next) {
            const record = pinnedIfHeld(next, held);
            if (await this.putConsent(record, stored?.version, stored ? (listing ?? callListing(stored)) : undefined)) {
              return record;
            }
          }
          // Someone else changed it between our read and write: read again and re-decide.
        }
        throw new ConsentStoreUnavailableError(
          `consent for the call kept changing; gave up after ${MAX_WRITE_ATTEMPTS} attempts`,
        );
      }),
    );
  }

  async appendEvent(callId: string, event: { type: AuditEventType; detail?: AuditEvent['detail'] }): Promise<void> {
    if (event.type === 'erased') return this.markErased(callId, event.detail);
    await this.guard('appendEvent', () =>
      this.asWriter(callId, async (held) => {
        const now = this.clock();
        const at = now.toISOString();
        const detail = sanitizeDetail(event.detail);
        for (let seq = 0; seq < MAX_EVENT_SEQ; seq += 1) {
          try {
            await this.client.send(
              new PutCommand({
                TableName: this.tableName,
                Item: this.eventItem(callId, eventSortKey(at, seq), event.type, now, detail, held),
                ConditionExpression: 'attribute_not_exists(#sk)',
                ExpressionAttributeNames: { '#sk': TABLE.sortKey },
              }),
              this.requestOptions(),
            );
            return;
          } catch (error) {
            if (!isConditionalCheckFailed(error)) throw error;
          }
        }
        throw new ConsentStoreUnavailableError('too many audit events in one millisecond');
      }),
    );
  }

  async markErased(callId: string, detail: AuditEvent['detail']): Promise<void> {
    await this.guard('markErased', async () => {
      const now = this.clock();
      const sanitized = sanitizeDetail(detail);
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            // Like every audit event: kept as long as anyone could ask about the call, then gone
            // (see eraseCall). A call is over long before, so no write can come for it after.
            Item: this.eventItem(callId, SK.erasedTombstone, 'erased', now, sanitized),
            // A second erasure keeps the first tombstone: it records when the call was erased.
            ConditionExpression: 'attribute_not_exists(#sk)',
            ExpressionAttributeNames: { '#sk': TABLE.sortKey },
          }),
          this.requestOptions(),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      await this.gate.sealErased(callId);
    });
  }

  /** One audit event item as stored: its time, type, sanitized detail and the consent-evidence expiry. */
  private eventItem(
    callId: string,
    sk: string,
    type: AuditEvent['type'],
    now: Date,
    detail: AuditEvent['detail'],
    held = false,
  ): Record<string, unknown> {
    return {
      [TABLE.partitionKey]: callKey(callId),
      [TABLE.sortKey]: sk,
      type,
      at: now.toISOString(),
      ...(detail ? { detail } : {}),
      ...eventListing(callId, type, now, detail),
      [TABLE.ttlAttribute]: held ? LEGAL_HOLD_EXPIRES_AT : consentExpiresAt(now, this.retentionDays),
    };
  }

  async listEvents(callId: string): Promise<AuditEvent[]> {
    return this.guard('listEvents', async () => {
      const items = await queryAll(
        this.client,
        {
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ExpressionAttributeValues: { ':pk': callKey(callId), ':prefix': SK.eventPrefix },
          ConsistentRead: true,
          ScanIndexForward: true,
        },
        () => this.requestOptions(),
      );
      return items.map(auditEventFromItem);
    });
  }

  async getRecordingControl(callId: string, controlId: string): Promise<RecordingControl | undefined> {
    return this.guard('getRecordingControl', async () => {
      const key = { [TABLE.partitionKey]: callKey(callId), [TABLE.sortKey]: `${SK.recordingControlPrefix}${controlId}` };
      const [result, erased] = await Promise.all([
        this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }), this.requestOptions()),
        this.isErased(callId),
      ]);
      if (erased) throw erasedError(callId);
      if (!result.Item) return undefined;
      const { [TABLE.partitionKey]: _pk, [TABLE.sortKey]: _sk, ...control } = result.Item;
      return control as unknown as RecordingControl;
    });
  }

  /** One conditional put on the control item (version read before, or absent): no transactions needed. */
  async putRecordingControl(control: RecordingControl, expectedVersion: number | undefined): Promise<boolean> {
    return this.guard('putRecordingControl', () =>
      this.asWriter(control.callId, (held) =>
        this.putVersioned(
          {
            [TABLE.partitionKey]: callKey(control.callId),
            [TABLE.sortKey]: `${SK.recordingControlPrefix}${control.controlId}`,
            ...pinnedIfHeld(control, held),
          },
          expectedVersion,
        ),
      ),
    );
  }

  async callsForCaller(callerHash: string): Promise<string[]> {
    return this.guard('callsForCaller', async () => {
      const items = await queryAll(
        this.client,
        {
          TableName: this.tableName,
          IndexName: TABLE.callerIndex.name,
          KeyConditionExpression: '#h = :h',
          ExpressionAttributeNames: { '#h': TABLE.callerIndex.partitionKey, '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':h': callerHash },
          ProjectionExpression: '#pk',
        },
        () => this.requestOptions(),
      );
      const prefix = callKey('');
      const ids = items
        .map((item) => item[TABLE.partitionKey])
        .filter((pk): pk is string => typeof pk === 'string' && pk.startsWith(prefix))
        .map((pk) => pk.slice(prefix.length));
      return [...new Set(ids)].sort();
    });
  }

  /** The consent item, read together with the erasure check; throws {@link CallErasedError} for an erased call. */
  private async readLiveConsent(callId: string): Promise<ConsentRecord | undefined> {
    const [record, erased] = await Promise.all([this.readConsent(callId), this.isErased(callId)]);
    if (erased) throw erasedError(callId);
    return record;
  }

  /**
   * Erased or being erased: the gate refuses writers, or (a call erased before the gate existed)
   * the tombstone exists without a hold marker. Consistent reads, in parallel.
   */
  private async isErased(callId: string): Promise<boolean> {
    const [guard, tombstone, hold] = await Promise.all([
      this.gate.read(callId),
      this.exists(callId, SK.erasedTombstone),
      this.exists(callId, SK.legalHold),
    ]);
    return guard.erasure !== undefined || (tombstone && !hold);
  }

  /** Runs a write inside the call's write gate (see the class doc); `held` says which layout to write. */
  private async asWriter<T>(callId: string, write: (held: boolean) => Promise<T>): Promise<T> {
    const pass = await this.gate.enter(callId);
    if (pass === 'erased') throw erasedError(callId);
    try {
      return await write(pass.held);
    } finally {
      await pass.leave();
    }
  }

  private async exists(callId: string, sk: string): Promise<boolean> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: callKey(callId), [TABLE.sortKey]: sk },
        ConsistentRead: true,
        ProjectionExpression: '#sk',
        ExpressionAttributeNames: { '#sk': TABLE.sortKey },
      }),
      this.requestOptions(),
    );
    return result.Item !== undefined;
  }

  private async readConsent(callId: string): Promise<ConsentRecord | undefined> {
    return (await this.readConsentItem(callId)).record;
  }

  /** The consent record and, apart from it, the item's day-index attributes (storage keys, not consent facts). */
  private async readConsentItem(
    callId: string,
  ): Promise<{ record: ConsentRecord | undefined; listing: Record<string, string> | undefined }> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: callKey(callId), [TABLE.sortKey]: SK.consent },
        ConsistentRead: true,
      }),
      this.requestOptions(),
    );
    if (!result.Item) return { record: undefined, listing: undefined };
    const { [TABLE.dayIndex.partitionKey]: day, [TABLE.dayIndex.sortKey]: key } = result.Item;
    const listing =
      typeof day === 'string' && typeof key === 'string'
        ? { [TABLE.dayIndex.partitionKey]: day, [TABLE.dayIndex.sortKey]: key }
        : undefined;
    return { record: toConsentRecord(result.Item), listing };
  }

  /**
   * Write the consent item if it is still at `expectedVersion` (or absent, when undefined).
   * Returns false when the condition failed, i.e. someone else wrote first.
   */
  private async putConsent(
    record: ConsentRecord,
    expectedVersion: number | undefined,
    listing: Record<string, string> = callListing(record),
  ): Promise<boolean> {
    return this.putVersioned(
      {
        [TABLE.partitionKey]: callKey(record.callId),
        [TABLE.sortKey]: SK.consent,
        ...record,
        // A put replaces the item: the call keeps the day it was first listed under.
        ...listing,
      },
      expectedVersion,
    );
  }

  /** Put the item if it is still at `expectedVersion` (absent when undefined); false when someone else wrote first. */
  private async putVersioned(item: Record<string, unknown>, expectedVersion: number | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ...versionCondition(expectedVersion, TABLE.partitionKey) }),
        this.requestOptions(),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private requestOptions(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.timeoutMs) };
  }

  /** Domain errors pass through; anything else (network, throttling, timeout) is unavailability. */
  private async guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (
        error instanceof ConsentConflictError ||
        error instanceof ConsentStoreUnavailableError ||
        error instanceof CallErasedError
      )
        throw error;
      const name = error instanceof Error ? error.name : typeof error;
      logger.warn('consent store unavailable', { operation, errorName: name });
      throw new ConsentStoreUnavailableError(`consent store ${operation} failed (${name})`, { cause: error });
    }
  }
}

/**
 * The consent item's place in the console's day index (shared/storage/day-index.ts): the time
 * the call's record was first written. An update keeps the stored item's attributes (see
 * setConsent); only a record stored before the index existed gets them from its current time.
 */
function callListing(record: ConsentRecord): Record<string, string> {
  return dayIndexAttributes('call', record.updatedAt, record.callId);
}

/** Incident events and the erasure tombstone are listed by day too; other events are not (sparse index). */
function eventListing(callId: string, type: AuditEvent['type'], now: Date, detail: AuditEvent['detail']): Record<string, string> {
  if (type === 'erased') return dayIndexAttributes('erased', now.toISOString(), callId);
  return isIncidentEvent(type, detail) ? dayIndexAttributes('incident', now.toISOString(), callId) : {};
}

/** A record written while the call is held never expires, like the rest of the held call. */
function pinnedIfHeld<T extends { expiresAt: number }>(record: T, held: boolean): T {
  return held ? { ...record, expiresAt: LEGAL_HOLD_EXPIRES_AT } : record;
}

function toConsentRecord(item: Record<string, unknown>): ConsentRecord {
  const {
    [TABLE.partitionKey]: _pk,
    [TABLE.sortKey]: _sk,
    [TABLE.dayIndex.partitionKey]: _day,
    [TABLE.dayIndex.sortKey]: _key,
    ...record
  } = item;
  return record as unknown as ConsentRecord;
}

const erasedError = (callId: string): CallErasedError =>
  new CallErasedError(`call ${callId} was erased: nothing about it may be stored again`);
