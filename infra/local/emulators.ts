import dynalite from 'dynalite';
import S3rver from 's3rver';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { TABLE } from '#shared/storage/layout.js';

/** s3rver's built-in fake credentials (dynalite accepts any); the SDK insists on some. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface Emulators {
  dynamodbEndpoint: string;
  s3Endpoint: string;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Persist data under this folder (restart loses nothing); in-memory when omitted. */
  dataDir?: string;
  /** Fixed ports (0 = random). */
  dynamodbPort?: number;
  s3Port?: number;
}

/**
 * s3rver 3.7.1 answers a PUT Object once it has read the body, not once the object's file is
 * written (its store resolves on the hashing stream's 'finish', before the file stream's), so a
 * request right behind it (the PutObjectTagging that follows every recording put) can find no
 * such key on a busy machine. S3 itself is read-after-write consistent: the emulator is made so
 * by waiting, after each put, until the file has the size just stored (at most ~2 s).
 */
export function readAfterWrite(store: S3rver['store']): void {
  const putObject = store.putObject.bind(store);
  store.putObject = async (object) => {
    const stored = await putObject(object);
    const file = store.getResourcePath(object.bucket, object.key, 'object');
    for (let wait = 0; wait < 400; wait += 1) {
      if ((await stat(file).catch(() => undefined))?.size === stored.size) break;
      await sleep(5);
    }
    return stored;
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Start the embedded DynamoDB (dynalite) and S3 (s3rver) emulators on 127.0.0.1. */
export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const dynamoPath = options.dataDir ? join(options.dataDir, 'dynamodb') : undefined;
  const s3Path = options.dataDir
    ? join(options.dataDir, 's3')
    : join(
        process.env.TMPDIR ?? '/tmp',
        `recording-agent-s3-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      );
  if (dynamoPath) mkdirSync(dynamoPath, { recursive: true });
  mkdirSync(s3Path, { recursive: true });

  const dynamo = dynalite({ path: dynamoPath, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamo, options.dynamodbPort ?? 0);
  const s3 = new S3rver({
    port: options.s3Port ?? 0,
    address: '127.0.0.1',
    silent: true,
    directory: s3Path,
    resetOnClose: !options.dataDir,
  });
  readAfterWrite(s3.store);
  let s3Address: { port: number };
  try {
    s3Address = await s3.run();
  } catch (error) {
    // A taken S3 port must not leave the DynamoDB emulator (and its LevelDB lock) behind.
    await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    throw error;
  }

  return {
    dynamodbEndpoint: `http://127.0.0.1:${dynamoPort}`,
    s3Endpoint: `http://127.0.0.1:${s3Address.port}`,
    async stop() {
      await Promise.allSettled([new Promise<void>((resolve) => dynamo.close(() => resolve())), s3.close()]);
    },
  };
}

/** Environment that points the functions' SDK clients at the emulators. */
export function emulatorEnv(emulators: Pick<Emulators, 'dynamodbEndpoint' | 's3Endpoint'>): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
    AWS_ENDPOINT_URL_S3: emulators.s3Endpoint,
    S3_FORCE_PATH_STYLE: 'true',
  };
}

/** Create the table (same keys and index as the CDK stack) and bucket if missing. */
export async function provisionStorage(
  emulators: Pick<Emulators, 'dynamodbEndpoint' | 's3Endpoint'>,
  names: { table: string; bucket: string },
): Promise<void> {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const ddb = new DynamoDBClient({ ...common, endpoint: emulators.dynamodbEndpoint });
  const s3 = new S3Client({ ...common, endpoint: emulators.s3Endpoint, forcePathStyle: true });
  try {
    await ddb.send(new DescribeTableCommand({ TableName: names.table }));
  } catch {
    try {
      await ddb.send(
        new CreateTableCommand({
          TableName: names.table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE.sortKey, AttributeType: 'S' },
            { AttributeName: TABLE.callerIndex.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE.dayIndex.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE.dayIndex.sortKey, AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: TABLE.callerIndex.name,
              KeySchema: [
                { AttributeName: TABLE.callerIndex.partitionKey, KeyType: 'HASH' },
                { AttributeName: TABLE.callerIndex.sortKey, KeyType: 'RANGE' },
              ],
              // As in the stack (infra/stack/storage.ts): the caller query reads keys only.
              Projection: { ProjectionType: 'KEYS_ONLY' },
            },
            {
              // As in the stack: the console's lists by day (shared/storage/day-index.ts).
              IndexName: TABLE.dayIndex.name,
              KeySchema: [
                { AttributeName: TABLE.dayIndex.partitionKey, KeyType: 'HASH' },
                { AttributeName: TABLE.dayIndex.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  try {
    await s3.send(new HeadBucketCommand({ Bucket: names.bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: names.bucket }));
  }
  ddb.destroy();
  s3.destroy();
}
