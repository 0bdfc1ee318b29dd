import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';

describe('embedded emulators', () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await startTestStorage();
  });
  afterAll(async () => storage.stop());

  it('serve the DynamoDB protocol to the real SDK client, with the provisioned table', async () => {
    const ddb = new DynamoDBClient({});
    await ddb.send(new PutItemCommand({ TableName: storage.table, Item: { pk: { S: 'CALL#a' }, sk: { S: 'X' } } }));
    const got = await ddb.send(new GetItemCommand({ TableName: storage.table, Key: { pk: { S: 'CALL#a' }, sk: { S: 'X' } } }));
    expect(got.Item?.pk?.S).toBe('CALL#a');
  });

  it('serve the S3 protocol to the real SDK client, with the provisioned bucket', async () => {
    const s3 = new S3Client({ forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: storage.bucket, Key: 'k.json', Body: '{"a":1}' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: storage.bucket, Key: 'k.json' }));
    expect(await got.Body?.transformToString()).toBe('{"a":1}');
  });
});
