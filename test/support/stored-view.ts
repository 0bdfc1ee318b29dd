import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { TestStorage } from './storage.js';

/** Every prefix a call's objects can live under. */
const CALL_PREFIXES = ['recordings/', 'archive/', 'legal-hold/'] as const;

/**
 * An independent view of what is stored for a call: raw SDK calls against the emulators, not the
 * code under test, so assertions cannot share its bugs.
 */
export function storedView(storage: TestStorage) {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const bucket = new S3Client({ forcePathStyle: true });
  const keysUnder = async (prefix: string): Promise<string[]> => {
    const page = await bucket.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
  };
  return {
    keysUnder,
    /** Every object key of the call, under any prefix. */
    async allKeys(callId: string): Promise<string[]> {
      const lists = await Promise.all(CALL_PREFIXES.map((p) => keysUnder(`${p}${callId}/`)));
      return lists.flat().sort();
    },
    /** Every table item of the call (consistent read). */
    async items(callId: string): Promise<Record<string, unknown>[]> {
      const got = await db.send(
        new QueryCommand({
          TableName: storage.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `CALL#${callId}` },
          ConsistentRead: true,
        }),
      );
      return got.Items ?? [];
    },
    async json(key: string): Promise<Record<string, unknown>> {
      const got = await bucket.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }));
      return JSON.parse((await got.Body?.transformToString()) ?? '{}') as Record<string, unknown>;
    },
    async tags(key: string): Promise<string[]> {
      const got = await bucket.send(new GetObjectTaggingCommand({ Bucket: storage.bucket, Key: key }));
      return (got.TagSet ?? []).map((t) => `${t.Key}=${t.Value}`);
    },
  };
}
