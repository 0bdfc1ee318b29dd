/**
 * The per-call write gate: how erasure, legal hold and release stay complete while webhooks,
 * SWAIG calls and archive jobs keep writing (issue #12 points 1, 2 and 5).
 *
 * DynamoDB offers single-item conditional writes and nothing across items (the local emulator
 * has no transactions either), so a writer cannot make its S3 put or its item write conditional
 * on "the call is not being erased". Instead every writer registers on one item of the call's
 * partition, the `GUARD` item ({@link SK.guard}), before it writes and deregisters after:
 *
 * - **Writers** `enter`: one UpdateItem that adds a lease (`<expiry ms>|<uuid>`) to the item's
 *   `writers` string set, on condition that no erasure has begun, and returns the item as it is
 *   now: whether the call is held (so the writer uses the held layout: legal-hold/ keys, items
 *   that never expire). A refused enter means the call is erased or being erased: write nothing.
 *   `leave` removes the lease. A lease is longer than the writer's Lambda timeout, so once it
 *   has lapsed its writer cannot still be running (Lambda ends it at the timeout).
 * - **Operators** (erase, hold, release, the retention enforcer) take the per-call `lock` (two
 *   operators never interleave on one call), change the phase (`beginErasure`, `setHeld`) with
 *   one conditional UpdateItem that also returns the leases registered at that instant, and
 *   `drain`: wait until each of those has left or lapsed. Every writer that entered before the
 *   change is then finished, and every writer after it saw the new phase. So one pass over the
 *   call's items and objects after the drain sees everything that will ever be written under
 *   the old phase: nothing is left behind, and nothing lands after the pass.
 *
 * While an erasure runs the item also carries the caller's keyed hash, so the byCaller index
 * keeps finding the call until the erasure completes (the consent item, which otherwise holds
 * the hash, is deleted on the way). Erasure never deletes this item: its `erasure` attribute is
 * what keeps writers out for good. It expires with the tombstone.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '#shared/aws/clients.js';
import { isConditionalCheckFailed } from '#shared/aws/dynamo.js';
import { getConfig } from '#shared/config.js';
import { callKey, evidenceExpiresAt, SK, TABLE } from './layout.js';

/** What a writer learns when it enters a call it may write to. */
interface WriterPass {
  /** Under legal hold: write objects under legal-hold/ and items that never expire. */
  held: boolean;
  /** Deregister; never throws (a lease that could not be removed simply lapses). */
  leave(): Promise<void>;
}

/** `erased`: an erasure has begun or completed; the writer must write nothing. */
export type EnterResult = WriterPass | 'erased';

/** The writers' side of the gate (consent store, recording ingest, archive worker). */
export interface WriteGate {
  enter(callId: string, options?: { leaseMs?: number }): Promise<EnterResult>;
}

export type OperatorAction = 'erase' | 'hold' | 'release' | 'expire';

export interface OperatorLock {
  callId: string;
  owner: string;
  action: OperatorAction;
}

export interface GuardState {
  erasure: 'erasing' | 'erased' | undefined;
  held: boolean;
  /** The operator action holding the lock, if any. */
  lockedBy: OperatorAction | undefined;
}

/** The leases registered when an operator changed the call's phase: the writers it must wait for. */
export type WritersAtChange = readonly string[];

/** Another operator action holds the call's lock. Nothing was changed; retry when it is done. */
export class CallBusyError extends Error {
  override name = 'CallBusyError';
  constructor(readonly action: OperatorAction | undefined) {
    super(`another operation${action ? ` (${action})` : ''} is running on this call; nothing was changed, retry when it is done`);
  }
}

/** The phase change conflicts with the call's state (hold while erasing, erase while held). */
export class PhaseConflictError extends Error {
  override name = 'PhaseConflictError';
  constructor(readonly state: GuardState) {
    super(state.erasure ? 'the call is erased or being erased' : 'the call is under legal hold');
  }
}

/** The operators' side of the gate (privacy operations, retention enforcer). */
export interface OperatorGate extends WriteGate {
  read(callId: string): Promise<GuardState>;
  /** Throws {@link CallBusyError} while another operator holds it (an expired lock is taken over). */
  lock(callId: string, action: OperatorAction): Promise<OperatorLock>;
  unlock(lock: OperatorLock): Promise<void>;
  /** Writers are refused from now on; the caller hash keeps the call findable by caller meanwhile. */
  beginErasure(lock: OperatorLock, callerHash: string | undefined): Promise<WritersAtChange>;
  /** The erasure's last step: writers stay refused, the caller hash goes, the item expires with the tombstone. */
  completeErasure(lock: OperatorLock, expiresAt: number): Promise<void>;
  /**
   * Writers are refused from now on, whoever wrote the tombstone (the consent store's
   * markErased); keeps an erasure already begun as it is, and leaves a held call alone.
   */
  sealErased(callId: string): Promise<void>;
  /** Writers entering from now on use the held (on) or normal (off) layout. */
  setHeld(lock: OperatorLock, on: boolean): Promise<WritersAtChange>;
  /** Waits until each of `writers` has left or lapsed, at most `budgetMs`; returns how many are still in flight. */
  drain(callId: string, writers: WritersAtChange, budgetMs: number): Promise<number>;
}

/**
 * How long a writer's lease lasts unless it says otherwise: longer than the longest timeout of a
 * function that writes through the gate on a request (recording-status 15 s, payment 20 s).
 */
export const DEFAULT_WRITER_LEASE_MS = 30_000;
/**
 * An operator's lock outlives the privacy function's timeout (5 min), so a live operation is
 * never overtaken; a crashed one blocks the call this long.
 */
const OPERATOR_LOCK_MS = 6 * 60_000;
const DRAIN_POLL_MS = 50;

const leaseExpiry = (lease: string): number => Number(lease.slice(0, lease.indexOf('|')));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const NAMES = {
  '#pk': TABLE.partitionKey,
  '#writers': 'writers',
  '#erasure': 'erasure',
  '#held': 'held',
  '#owner': 'lockOwner',
  '#action': 'lockAction',
  '#until': 'lockUntil',
  '#caller': TABLE.callerIndex.partitionKey,
  '#ttl': TABLE.ttlAttribute,
} as const;

export interface DynamoWriteGateOptions {
  clock?: () => Date;
  /** expiresAt (epoch seconds) a guard item gets when a writer creates it. */
  guardExpiresAt: (now: Date) => number;
  requestOptions?: () => { abortSignal?: AbortSignal };
}

/** {@link OperatorGate} on the call's `GUARD` item in the single table. */
export class DynamoWriteGate implements OperatorGate {
  private readonly clock: () => Date;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: DynamoWriteGateOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  async enter(callId: string, options: { leaseMs?: number } = {}): Promise<EnterResult> {
    const now = this.clock();
    const lease = `${now.getTime() + (options.leaseMs ?? DEFAULT_WRITER_LEASE_MS)}|${randomUUID()}`;
    let attributes: Record<string, unknown> | undefined;
    try {
      attributes = await this.update(callId, {
        UpdateExpression: 'ADD #writers :lease SET #ttl = if_not_exists(#ttl, :ttl)',
        ConditionExpression: 'attribute_not_exists(#erasure)',
        ExpressionAttributeValues: { ':lease': new Set([lease]), ':ttl': this.options.guardExpiresAt(now) },
      });
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'erased';
      throw error;
    }
    return { held: attributes?.held === true, leave: () => this.leave(callId, lease) };
  }

  private async leave(callId: string, lease: string): Promise<void> {
    await this.update(callId, {
      UpdateExpression: 'DELETE #writers :lease',
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeValues: { ':lease': new Set([lease]) },
    }).catch(() => undefined);
  }

  async read(callId: string): Promise<GuardState> {
    return guardState(await this.get(callId), this.clock().getTime());
  }

  async lock(callId: string, action: OperatorAction): Promise<OperatorLock> {
    const now = this.clock();
    const owner = randomUUID();
    try {
      await this.update(callId, {
        UpdateExpression: 'SET #owner = :owner, #action = :action, #until = :until, #ttl = if_not_exists(#ttl, :ttl)',
        ConditionExpression: 'attribute_not_exists(#owner) OR #until < :now',
        ExpressionAttributeValues: {
          ':owner': owner,
          ':action': action,
          ':until': now.getTime() + OPERATOR_LOCK_MS,
          ':now': now.getTime(),
          ':ttl': this.options.guardExpiresAt(now),
        },
      });
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new CallBusyError((await this.read(callId)).lockedBy);
      throw error;
    }
    return { callId, owner, action };
  }

  async unlock(lock: OperatorLock): Promise<void> {
    try {
      await this.update(lock.callId, {
        UpdateExpression: 'REMOVE #owner, #action, #until',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeValues: { ':owner': lock.owner },
      });
    } catch (error) {
      // Taken over after it lapsed: it is no longer ours to remove.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async beginErasure(lock: OperatorLock, callerHash: string | undefined): Promise<WritersAtChange> {
    return this.changePhase(lock, {
      UpdateExpression: `SET #erasure = :erasing${callerHash ? ', #caller = :caller' : ''}`,
      ConditionExpression: '#owner = :owner AND attribute_not_exists(#held)',
      ExpressionAttributeValues: { ':erasing': 'erasing', ...(callerHash ? { ':caller': callerHash } : {}) },
    });
  }

  async completeErasure(lock: OperatorLock, expiresAt: number): Promise<void> {
    await this.changePhase(lock, {
      UpdateExpression: 'SET #erasure = :erased, #ttl = :ttl REMOVE #caller',
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeValues: { ':erased': 'erased', ':ttl': expiresAt },
    });
  }

  async sealErased(callId: string): Promise<void> {
    try {
      await this.update(callId, {
        UpdateExpression: 'SET #erasure = if_not_exists(#erasure, :erased), #ttl = if_not_exists(#ttl, :ttl)',
        ConditionExpression: 'attribute_not_exists(#held)',
        ExpressionAttributeValues: { ':erased': 'erased', ':ttl': this.options.guardExpiresAt(this.clock()) },
      });
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async setHeld(lock: OperatorLock, on: boolean): Promise<WritersAtChange> {
    return this.changePhase(lock, {
      UpdateExpression: on ? 'SET #held = :true' : 'REMOVE #held',
      ConditionExpression: '#owner = :owner AND attribute_not_exists(#erasure)',
      ExpressionAttributeValues: on ? { ':true': true } : {},
    });
  }

  async drain(callId: string, writers: WritersAtChange, budgetMs: number): Promise<number> {
    const deadline = this.clock().getTime() + budgetMs;
    for (;;) {
      const item = await this.get(callId);
      const now = this.clock().getTime();
      const current = leasesOf(item);
      const waiting = writers.filter((lease) => current.has(lease) && leaseExpiry(lease) > now);
      const lapsed = [...current].filter((lease) => leaseExpiry(lease) <= now);
      // Crashed writers' leases would otherwise accumulate on the item.
      if (lapsed.length > 0) await this.pruneLeases(callId, lapsed);
      if (waiting.length === 0 || now >= deadline) return waiting.length;
      await sleep(Math.min(DRAIN_POLL_MS, Math.max(1, deadline - now)));
    }
  }

  private async pruneLeases(callId: string, leases: string[]): Promise<void> {
    await this.update(callId, {
      UpdateExpression: 'DELETE #writers :leases',
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeValues: { ':leases': new Set(leases) },
    }).catch(() => undefined);
  }

  /** A phase change under the operator's lock; returns the leases registered at that instant. */
  private async changePhase(
    lock: OperatorLock,
    input: Required<Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>>,
  ): Promise<WritersAtChange> {
    let attributes: Record<string, unknown> | undefined;
    try {
      attributes = await this.update(lock.callId, {
        ...input,
        ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':owner': lock.owner },
      });
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const state = await this.read(lock.callId);
      if (state.lockedBy !== lock.action) throw new CallBusyError(state.lockedBy);
      throw new PhaseConflictError(state);
    }
    return [...leasesOf(attributes)];
  }

  private async update(
    callId: string,
    input: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>,
  ): Promise<Record<string, unknown> | undefined> {
    const expression = `${input.UpdateExpression} ${input.ConditionExpression}`;
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: callKey(callId), [TABLE.sortKey]: SK.guard },
        ...input,
        // DynamoDB rejects names an expression does not use.
        ExpressionAttributeNames: Object.fromEntries(Object.entries(NAMES).filter(([name]) => expression.includes(name))),
        ReturnValues: 'ALL_NEW',
      }),
      this.options.requestOptions?.(),
    );
    return result.Attributes;
  }

  private async get(callId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: callKey(callId), [TABLE.sortKey]: SK.guard },
        ConsistentRead: true,
      }),
      this.options.requestOptions?.(),
    );
    return result.Item;
  }
}

/**
 * Run one operator action on a call under its lock, so a hold, a release, an erasure and the
 * retention enforcer never interleave on the same call, whoever runs them. Throws
 * {@link CallBusyError} when another action holds it; the lock is given back however the
 * action ends (a crash leaves it to lapse).
 */
export async function withCallLock<T>(
  gate: Pick<OperatorGate, 'lock' | 'unlock'>,
  callId: string,
  action: OperatorAction,
  work: (lock: OperatorLock) => Promise<T>,
): Promise<T> {
  const lock = await gate.lock(callId, action);
  try {
    return await work(lock);
  } finally {
    await gate.unlock(lock);
  }
}

/** The gate on the configured table with the default client (what the functions use), or on the given ones. */
export function dynamoWriteGate(
  client: DynamoDBDocumentClient = dynamo(),
  tableName: string = getConfig().TABLE_NAME,
  retentionDays: number = getConfig().RETENTION_DAYS,
): DynamoWriteGate {
  return new DynamoWriteGate(client, tableName, { guardExpiresAt: (now) => evidenceExpiresAt(now, retentionDays) });
}

function leasesOf(item: Record<string, unknown> | undefined): Set<string> {
  const writers = item?.writers;
  return writers instanceof Set ? new Set([...writers].filter((w): w is string => typeof w === 'string')) : new Set();
}

/** The guard item as operators and readers see it; a lapsed lock counts as free. */
function guardState(item: Record<string, unknown> | undefined, nowMs: number): GuardState {
  const erasure = item?.erasure === 'erasing' || item?.erasure === 'erased' ? item.erasure : undefined;
  const locked = typeof item?.lockUntil === 'number' && item.lockUntil >= nowMs;
  const action = locked ? (item?.lockAction as OperatorAction | undefined) : undefined;
  return { erasure, held: item?.held === true, lockedBy: action };
}
