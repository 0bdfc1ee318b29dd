import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAfterWrite } from '#infra/local/emulators.js';
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

  it('find an S3 object right after its PUT, as S3 does (s3rver alone may not: infra/local/emulators.ts)', async () => {
    const s3 = new S3Client({ forcePathStyle: true });
    const body = 'x'.repeat(256 * 1024);
    // What every recording put does: the object, then its retention tag, in back-to-back requests.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, async (_, i) => {
        const key = `race/${i}.json`;
        await s3.send(new PutObjectCommand({ Bucket: storage.bucket, Key: key, Body: body }));
        await s3.send(
          new PutObjectTaggingCommand({ Bucket: storage.bucket, Key: key, Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }),
        );
      }),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
  });

  it("answer a PUT only once the object's file is written, even when s3rver's store resolves before", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-after-write-'));
    const file = join(dir, 'object');
    let written = false;
    // s3rver's bug, made deterministic: the put resolves now, the file appears 50 ms later.
    const store = {
      getResourcePath: () => file,
      putObject: async (_object: { bucket: string; key: string }) => {
        setTimeout(() => {
          writeFileSync(file, 'x'.repeat(10));
          written = true;
        }, 50);
        return { size: 10, md5: '' };
      },
    };
    readAfterWrite(store);
    await store.putObject({ bucket: 'b', key: 'k' });
    expect(written).toBe(true);
  });
});
