import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startLocalStack, type LocalStack } from '#infra/local/stack.js';
import { AgentClient } from '#infra/local/cli/agent-client.js';
import type { Endpoints } from '#infra/local/endpoints.js';
import { isMetadataKey } from '#shared/storage/layout.js';

/** A temp data directory per test file, removed by the returned function. */
export function tempDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'recording-agent-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The real local stack in this process on a free port: emulators, provisioned storage,
 * generated credentials, the HTTP server in front of the real handlers.
 */
export async function startE2eStack(dataDir: string): Promise<{ stack: LocalStack; client: AgentClient }> {
  // Handlers create their logger on first import; keep test output readable.
  process.env.LOG_LEVEL ??= 'ERROR';
  const stack = await startLocalStack({ dataDir, port: 0 });
  const client = new AgentClient({
    api: stack.endpoints.api,
    username: stack.credentials.SWML_BASIC_AUTH_USER,
    password: stack.credentials.SWML_BASIC_AUTH_PASSWORD,
  });
  return { stack, client };
}

/** Independent SDK clients built only from what endpoints.json says (as an outside tool would). */
export function outsideClients(endpoints: Endpoints): { s3: S3Client; dynamodb: DynamoDBClient } {
  const common = {
    region: endpoints.region,
    credentials: { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey },
  };
  return {
    s3: new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true }),
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
  };
}

/** Every recording metadata document of the call (not its transcripts), with its body parsed as JSON. */
export async function objectsForCall(
  s3: S3Client,
  bucket: string,
  callId: string,
): Promise<Array<{ key: string; body: unknown }>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const keys = (listed.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k.includes(callId) && isMetadataKey(k));
  return Promise.all(
    keys.map(async (key) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { key, body: JSON.parse(await (got.Body?.transformToString() ?? Promise.resolve('null'))) as unknown };
    }),
  );
}
