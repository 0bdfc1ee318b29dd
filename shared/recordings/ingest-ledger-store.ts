import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '#shared/aws/clients.js';
import { callKey, TABLE } from '#shared/storage/layout.js';
import { dayIndexAttributes } from '#shared/storage/day-index.js';
import { getConfig } from '#shared/config.js';
import {
  LeaseLostError,
  type ClaimRequest,
  type ClaimResult,
  type IngestLedger,
  type IngestStep,
  type LedgerEntry,
  type StepFacts,
} from './ingest-ledger.js';
import { isConditionalCheckFailed } from '#shared/aws/dynamo.js';
import { ledgerSortKey } from '#shared/storage/layout.js';

function toEntry(item: Record<string, unknown>): LedgerEntry {
  const flag = (name: string): boolean => item[name] === true;
  const text = (name: string): string | undefined => (typeof item[name] === 'string' ? (item[name] as string) : undefined);
  const consent = text('consent');
  const metadataKey = text('metadataKey');
  const leaseOwner = text('leaseOwner');
  return {
    callId: text('callId') ?? '',
    ledgerId: text('ledgerId') ?? '',
    completed: flag('completed'),
    steps: { metadataStored: flag('metadataStored'), auditWritten: flag('auditWritten'), queued: flag('queued') },
    receivedAt: text('receivedAt') ?? new Date(0).toISOString(),
    attempts: typeof item.attempts === 'number' ? item.attempts : 0,
    ...(consent === undefined ? {} : { consent }),
    ...(metadataKey === undefined ? {} : { metadataKey }),
    ...(leaseOwner === undefined ? {} : { leaseOwner }),
    ...(typeof item.leaseUntil === 'number' ? { leaseUntil: item.leaseUntil } : {}),
  };
}

/** `:listDay` / `:listKey` of a ledger item first claimed at `now`. */
function listingValues(callId: string, ledgerId: string, now: Date): Record<string, string> {
  const attributes = dayIndexAttributes('recording', now.toISOString(), callId, ledgerId);
  return {
    ':listDay': attributes[TABLE.dayIndex.partitionKey] as string,
    ':listKey': attributes[TABLE.dayIndex.sortKey] as string,
  };
}

/**
 * {@link IngestLedger} on the single table, with single-item conditional writes only (dynalite,
 * the local emulator, has no transactions; none are needed). Lease deadlines compare against
 * the caller's clock, passed in, so tests can let a lease lapse without waiting.
 */
export class DynamoIngestLedger implements IngestLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient = dynamo(),
    private readonly table: string = getConfig().TABLE_NAME,
  ) {}

  private key(callId: string, ledgerId: string): Record<string, string> {
    return { pk: callKey(callId), sk: ledgerSortKey(ledgerId) };
  }

  async claim(callId: string, ledgerId: string, request: ClaimRequest): Promise<ClaimResult> {
    const now = request.now.getTime();
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(callId, ledgerId),
          ConditionExpression:
            'attribute_not_exists(pk) OR (completed = :false AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now))',
          UpdateExpression: `${[
            'SET leaseOwner = :owner, leaseUntil = :until, callId = :callId, ledgerId = :ledgerId, itemType = :type',
            'receivedAt = if_not_exists(receivedAt, :receivedAt), expiresAt = if_not_exists(expiresAt, :expiresAt)',
            'completed = if_not_exists(completed, :false), metadataStored = if_not_exists(metadataStored, :false)',
            'auditWritten = if_not_exists(auditWritten, :false), queued = if_not_exists(queued, :false)',
            // The console's day index (shared/storage/day-index.ts): recordings by the day received.
            '#listDay = if_not_exists(#listDay, :listDay), #listKey = if_not_exists(#listKey, :listKey)',
          ].join(', ')} ADD attempts :one`,
          ExpressionAttributeNames: { '#listDay': TABLE.dayIndex.partitionKey, '#listKey': TABLE.dayIndex.sortKey },
          ExpressionAttributeValues: {
            ':owner': request.owner,
            ':until': now + request.leaseMs,
            ':now': now,
            ':callId': callId,
            ':ledgerId': ledgerId,
            ':type': 'recording_ingest',
            ':receivedAt': request.now.toISOString(),
            ':expiresAt': request.expiresAt,
            ':false': false,
            ':one': 1,
            ...listingValues(callId, ledgerId, request.now),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { status: 'claimed', entry: toEntry(result.Attributes ?? {}) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const entry = await this.get(callId, ledgerId);
    // The condition failed, so the item exists: finished, or someone holds a live lease.
    if (!entry) throw new Error('ingest ledger entry vanished during claim');
    return { status: entry.completed ? 'completed' : 'in_flight', entry };
  }

  async markStep(callId: string, ledgerId: string, owner: string, step: IngestStep, facts: StepFacts = {}): Promise<void> {
    const sets = [`${step} = :true`];
    const values: Record<string, unknown> = { ':true': true, ':owner': owner };
    if (facts.consent !== undefined) {
      sets.push('consent = :consent');
      values[':consent'] = facts.consent;
    }
    if (facts.metadataKey !== undefined) {
      sets.push('metadataKey = :metadataKey');
      values[':metadataKey'] = facts.metadataKey;
    }
    await this.ownedUpdate(callId, ledgerId, `SET ${sets.join(', ')}`, values);
  }

  async complete(callId: string, ledgerId: string, owner: string): Promise<void> {
    await this.ownedUpdate(callId, ledgerId, 'SET completed = :true REMOVE leaseOwner, leaseUntil', {
      ':true': true,
      ':owner': owner,
    });
  }

  async release(callId: string, ledgerId: string, owner: string): Promise<void> {
    try {
      await this.ownedUpdate(callId, ledgerId, 'REMOVE leaseOwner, leaseUntil', { ':owner': owner });
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
    }
  }

  async get(callId: string, ledgerId: string): Promise<LedgerEntry | undefined> {
    const got = await this.client.send(
      new GetCommand({ TableName: this.table, Key: this.key(callId, ledgerId), ConsistentRead: true }),
    );
    return got.Item ? toEntry(got.Item) : undefined;
  }

  /** An update fenced by lease ownership: a request whose lease lapsed and was taken over stops. */
  private async ownedUpdate(
    callId: string,
    ledgerId: string,
    expression: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(callId, ledgerId),
          ConditionExpression: 'leaseOwner = :owner',
          UpdateExpression: expression,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new LeaseLostError('ingest lease lost to another request');
      throw error;
    }
  }
}
