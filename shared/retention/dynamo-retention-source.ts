import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, s3 } from '#shared/aws/clients.js';
import { getConfig } from '#shared/config.js';
import { BUCKET_PREFIXES, callIdOfPrefix, RETENTION_CURSOR_KEY, TABLE } from '#shared/storage/layout.js';
import type { Page, RetentionCursor, RetentionSource } from './enforcer-core.js';

const CALL_PK_PREFIX = 'CALL#';
/** Calls per bucket listing page and items evaluated per Scan page. */
const PAGE_SIZE = 200;

/**
 * {@link RetentionSource} on the table and the bucket.
 *
 * Calls with recordings: a delimited ListObjectsV2 of recordings/ (one entry per call, cheap). Its
 * cursor is a StartAfter key just past the last call's prefix (not a continuation token, so a
 * bookmark never goes stale between daily runs).
 *
 * Calls with expired items: the schema has no index on expiresAt, so this is a paginated Scan
 * with a filter (`begins_with(pk, CALL#) AND expiresAt <= now`, projecting pk only). Cost: a Scan
 * reads (and bills) every item it evaluates, filtered or not: one pass over the whole table per
 * walk cycle, in PAGE_SIZE-item pages, at most the page budget per run. DynamoDB TTL deletes the
 * same items within days anyway; this walk makes it on time. A sparse GSI on a day bucket of
 * expiresAt would avoid the Scan if the table grows large.
 *
 * The cursor is one item outside every call partition ({@link RETENTION_CURSOR_KEY}).
 */
export class DynamoRetentionSource implements RetentionSource {
  constructor(
    private readonly db: DynamoDBDocumentClient = dynamo(),
    private readonly objects: S3Client = s3(),
    private readonly tableName: string = getConfig().TABLE_NAME,
    private readonly bucket: string = getConfig().BUCKET_NAME,
  ) {}

  async recordingCalls(cursor: string | undefined): Promise<Page<string>> {
    const page = await this.objects.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: BUCKET_PREFIXES.recordings,
        Delimiter: '/',
        MaxKeys: PAGE_SIZE,
        ...(cursor ? { StartAfter: cursor } : {}),
      }),
    );
    const prefixes = (page.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : []));
    const values = prefixes.flatMap((p) => callIdOfPrefix(p) ?? []);
    const last = prefixes.at(-1);
    // '0' is the character after '/': the first key past every key under the last call's prefix.
    return { values, ...(page.IsTruncated && last ? { next: `${last.slice(0, -1)}0` } : {}) };
  }

  async expiredItemCalls(nowEpoch: number, cursor: string | undefined): Promise<Page<string>> {
    const page = await this.db.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: PAGE_SIZE,
        FilterExpression: 'begins_with(#pk, :call) AND #ttl <= :now',
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#ttl': TABLE.ttlAttribute },
        ExpressionAttributeValues: { ':call': CALL_PK_PREFIX, ':now': nowEpoch },
        ...(cursor ? { ExclusiveStartKey: JSON.parse(cursor) as Record<string, unknown> } : {}),
      }),
    );
    const calls = new Set<string>();
    for (const item of page.Items ?? []) calls.add(String(item[TABLE.partitionKey]).slice(CALL_PK_PREFIX.length));
    return { values: [...calls], ...(page.LastEvaluatedKey ? { next: JSON.stringify(page.LastEvaluatedKey) } : {}) };
  }

  async loadCursor(): Promise<RetentionCursor> {
    const got = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.cursorKey(), ConsistentRead: true }));
    const { recordings, items, signalwire } = (got.Item ?? {}) as Record<string, unknown>;
    const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
    const cursor: RetentionCursor = {};
    if (text(recordings)) cursor.recordings = text(recordings);
    if (text(items)) cursor.items = text(items);
    if (text(signalwire)) cursor.signalwire = text(signalwire);
    return cursor;
  }

  async saveCursor(cursor: RetentionCursor): Promise<void> {
    const defined = Object.fromEntries(Object.entries(cursor).filter(([, v]) => v !== undefined));
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...defined, updatedAt: new Date().toISOString(), ...this.cursorKey() },
      }),
    );
  }

  private cursorKey(): Record<string, string> {
    return { [TABLE.partitionKey]: RETENTION_CURSOR_KEY.pk, [TABLE.sortKey]: RETENTION_CURSOR_KEY.sk };
  }
}
