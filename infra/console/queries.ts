import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '#shared/aws/dynamo.js';
import { HELD_PARTITION, LIST_KINDS, type ListKind } from '#shared/storage/day-index.js';
import { callKey, SK, TABLE } from '#shared/storage/layout.js';

/** Read-only access to the table for the console: Query and GetItem only, never Scan or a write. */
export class TableReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Every item of one call's partition (consent, events, ledger, hold marker…), consistent. */
  async callItems(callId: string): Promise<Array<Record<string, unknown>>> {
    return queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
      ExpressionAttributeValues: { ':pk': callKey(callId) },
      ConsistentRead: true,
    });
  }

  async consentItem(callId: string): Promise<Record<string, unknown> | undefined> {
    const got = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { [TABLE.partitionKey]: callKey(callId), [TABLE.sortKey]: SK.consent } }),
    );
    return got.Item;
  }

  /**
   * One page of one day's items of a kind, newest first, from the byDay index. `filter` is a
   * FilterExpression over the projected attributes (with its names and values).
   */
  async dayPage(
    day: string,
    kind: ListKind,
    options: { limit?: number; startKey?: Record<string, unknown>; filter?: Filter } = {},
  ): Promise<{ items: Array<Record<string, unknown>>; lastKey?: Record<string, unknown> }> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: TABLE.dayIndex.name,
        KeyConditionExpression: '#day = :day AND begins_with(#key, :kind)',
        ExpressionAttributeNames: {
          '#day': TABLE.dayIndex.partitionKey,
          '#key': TABLE.dayIndex.sortKey,
          ...options.filter?.names,
        },
        ExpressionAttributeValues: { ':day': day, ':kind': LIST_KINDS[kind], ...options.filter?.values },
        ScanIndexForward: false,
        ...(options.filter ? { FilterExpression: options.filter.expression } : {}),
        ...(options.limit ? { Limit: options.limit } : {}),
        ...(options.startKey ? { ExclusiveStartKey: options.startKey } : {}),
      }),
    );
    return { items: result.Items ?? [], ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}) };
  }

  /** Every item of one day and kind (a day's incidents or recordings are few). */
  async dayAll(day: string, kind: ListKind): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dayPage(day, kind, startKey ? { startKey } : {});
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return items;
  }

  /** The hold markers: the held calls, newest hold first. */
  heldMarkers(): Promise<Array<Record<string, unknown>>> {
    return this.dayAll(HELD_PARTITION, 'hold');
  }
}

export interface Filter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}
