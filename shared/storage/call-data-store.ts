import {
  CopyObjectCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamo, s3 } from '#shared/aws/clients.js';
import { isConditionalCheckFailed, queryAll } from '#shared/aws/dynamo.js';
import { listKeys, readJsonObject } from '#shared/aws/s3-objects.js';
import { callKey, TABLE } from '#shared/storage/layout.js';
import { getConfig } from '#shared/config.js';
import { RETENTION_TAG } from '#shared/storage/layout.js';
import type { CallDataStore, StoredItem } from './call-data.js';
import { callPrefixes, SK } from '#shared/storage/layout.js';

/**
 * The consent item is written by DynamoConsentStore with optimistic concurrency on `version`:
 * our changes bump it too, so a consent write racing a hold re-reads instead of overwriting it.
 */
const BUMP_VERSION = '#version = if_not_exists(#version, :zero) + :one';
const VERSION_NAMES = { '#version': 'version' } as const;
const VERSION_VALUES = { ':zero': 0, ':one': 1 } as const;

/**
 * {@link CallDataStore} on the single table and the recordings bucket. Objects are written
 * encrypted (SSE-S3) like the recordings store does, and tagged in a separate PutObjectTagging
 * call because the emulator drops PutObject's Tagging header.
 */
export class AwsCallDataStore implements CallDataStore {
  constructor(
    private readonly db: DynamoDBDocumentClient = dynamo(),
    private readonly objects: S3Client = s3(),
    private readonly tableName: string = getConfig().TABLE_NAME,
    private readonly bucket: string = getConfig().BUCKET_NAME,
  ) {}

  async listItems(callId: string): Promise<StoredItem[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
      ExpressionAttributeValues: { ':pk': callKey(callId) },
      ConsistentRead: true,
    });
    return items.map(({ [TABLE.partitionKey]: _pk, [TABLE.sortKey]: sk, ...attributes }) => ({ sk: String(sk), attributes }));
  }

  async deleteItem(callId: string, sk: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(callId, sk) }));
  }

  async setItemExpiry(callId: string, sk: string, expiresAt: number): Promise<void> {
    const consent = sk === SK.consent;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(callId, sk),
          // Never resurrect an item someone deleted meanwhile (an update would create it).
          ConditionExpression: 'attribute_exists(#pk)',
          UpdateExpression: consent ? `SET #ttl = :ttl, ${BUMP_VERSION}` : 'SET #ttl = :ttl',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#ttl': TABLE.ttlAttribute, ...(consent ? VERSION_NAMES : {}) },
          ExpressionAttributeValues: { ':ttl': expiresAt, ...(consent ? VERSION_VALUES : {}) },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async setConsentHoldFlag(callId: string, on: boolean): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(callId, SK.consent),
          ConditionExpression: 'attribute_exists(#pk)',
          UpdateExpression: on ? `SET #hold = :true, ${BUMP_VERSION}` : `SET ${BUMP_VERSION} REMOVE #hold`,
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#hold': 'legalHold', ...VERSION_NAMES },
          ExpressionAttributeValues: { ...(on ? { ':true': true } : {}), ...VERSION_VALUES },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async putItemIfAbsent(callId: string, sk: string, attributes: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...attributes, ...this.key(callId, sk) },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async listObjects(callId: string): Promise<string[]> {
    const prefixes = Object.values(callPrefixes(callId));
    const lists = await Promise.all(prefixes.map((prefix) => listKeys(this.objects, this.bucket, prefix)));
    return lists.flat().sort();
  }

  readJson(key: string): Promise<unknown> {
    return readJsonObject(this.objects, this.bucket, key);
  }

  async putJson(key: string, document: unknown, options: { retention: boolean }): Promise<void> {
    await this.objects.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(document, null, 2),
        ContentType: 'application/json',
        ServerSideEncryption: 'AES256',
      }),
    );
    await this.tag(key, options.retention);
  }

  async copyObject(from: string, to: string, options: { retention: boolean }): Promise<void> {
    await this.objects.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: to,
        CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
        // S3 copies tags by default; replace them so a held copy carries no retention tag.
        TaggingDirective: 'REPLACE',
        ServerSideEncryption: 'AES256',
      }),
    );
    await this.tag(to, options.retention);
  }

  async deleteObject(key: string): Promise<void> {
    await this.objects.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  private key(callId: string, sk: string): Record<string, string> {
    return { [TABLE.partitionKey]: callKey(callId), [TABLE.sortKey]: sk };
  }

  /** Retention objects get the tag the lifecycle rule may filter on; held ones get an empty tag set. */
  private async tag(key: string, retention: boolean): Promise<void> {
    await this.objects.send(
      new PutObjectTaggingCommand({
        Bucket: this.bucket,
        Key: key,
        Tagging: { TagSet: retention ? [{ ...RETENTION_TAG }] : [] },
      }),
    );
  }
}
