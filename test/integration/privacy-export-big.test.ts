import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { handler } from '#functions/privacy/handler.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.js';
import { resetInstance } from '#shared/instance.js';
import { eraseExports, EXPORT_URL_TTL_SECONDS } from '#shared/privacy/export-delivery.js';
import type { OperatorResponse } from '#shared/privacy/privacy-core.js';
import type { ExportDocument, ExportRef } from '#shared/privacy/types.js';
import { S3ExportObjects } from '#shared/storage/export-objects.js';
import { captureLogs } from '#test/support/logs.js';
import { seedCall, testPrivacyDeps } from '#test/support/privacy-seed.js';
import { lambdaContext } from '#test/support/signalwire.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';

/** Small enough that a caller with a few recorded calls goes to the bucket, large enough for one bare call. */
const INLINE_MAX_BYTES = 4000;
const CALLER = '+14155550142';

/**
 * Issue #12 point 8: an export bigger than a Lambda response can carry goes to the bucket's
 * exports/ and comes back as a reference with a presigned URL, which downloads the document
 * from the (emulated) bucket with no AWS credentials.
 */
describe('big exports go to the bucket, answered by reference', () => {
  let storage: TestStorage;
  let outside: S3Client;
  const invoke = (event: unknown): Promise<OperatorResponse> => handler(event, lambdaContext('privacy'));
  const resultOf = (response: OperatorResponse): unknown => {
    if (!response.ok) throw new Error(`refused: ${response.error.message}`);
    return response.result;
  };
  const keys = async (prefix: string): Promise<string[]> =>
    ((await outside.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix }))).Contents ?? []).map(
      (o) => o.Key ?? '',
    );

  beforeAll(async () => {
    storage = await startTestStorage({ EXPORT_INLINE_MAX_BYTES: String(INLINE_MAX_BYTES) });
    resetInstance();
    outside = new S3Client({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: storage.emulators.s3Endpoint,
      forcePathStyle: true,
    });
  });
  afterAll(async () => storage.stop());

  it('answers a small export inline and stores nothing', async () => {
    const { callId } = await seedCall('+14155550143', 0);

    const response = await invoke({ action: 'export', callId });

    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(INLINE_MAX_BYTES);
    expect(resultOf(response)).toMatchObject({ kind: 'recording-agent-export', subject: { callId } });
    expect(await keys('exports/')).toEqual([]);
  });

  it('stores a big one under exports/caller-<hash>/ (SSE, no retention tag) and answers key, size, calls and a 15-minute URL', async () => {
    const calls = [await seedCall(CALLER, 2), await seedCall(CALLER, 2), await seedCall(CALLER, 2)];
    const logs = captureLogs();
    let ref: ExportRef;
    try {
      ref = resultOf(await invoke({ action: 'export', caller: CALLER })) as ExportRef;
    } finally {
      logs.restore();
    }

    expect(ref).toMatchObject({ kind: 'recording-agent-export-ref', calls: 3 });
    expect(ref.key).toMatch(/^exports\/caller-[0-9a-f]{64}\/\d{4}-\d{2}-\d{2}T[\d-]+Z-[0-9a-f-]{36}\.json$/);
    expect(ref.bytes).toBeGreaterThan(INLINE_MAX_BYTES);
    const ttl = (Date.parse(ref.urlExpiresAt) - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(EXPORT_URL_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(EXPORT_URL_TTL_SECONDS);
    expect(new URL(ref.url).searchParams.get('X-Amz-Expires')).toBe('900');
    expect(await keys('exports/')).toEqual([ref.key]);
    const head = await outside.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: ref.key }));
    expect(head.ContentLength).toBe(ref.bytes);
    expect(head.ContentType).toBe('application/json');
    const tags = await outside.send(new GetObjectTaggingCommand({ Bucket: storage.bucket, Key: ref.key }));
    expect(tags.TagSet ?? []).toEqual([]);
    // The URL is a bearer credential until it expires: never logged.
    expect(logs.text()).toContain('export too large to answer inline');
    expect(logs.text()).not.toContain('X-Amz-Signature');

    // The URL alone (no AWS credentials) downloads exactly the document an inline answer would hold.
    const downloaded = await fetch(ref.url);
    expect(downloaded.status).toBe(200);
    const document = (await downloaded.json()) as ExportDocument;
    expect(document.kind).toBe('recording-agent-export');
    expect(document.calls.map((c) => c.callId).sort()).toEqual(calls.map((c) => c.callId).sort());
    expect(document.calls.flatMap((c) => c.recordings)).toHaveLength(6);
    expect(JSON.stringify(document)).not.toContain('4155550142');
  });

  it('keeps a call export under exports/<callId>/, where erasure of the call finds it', async () => {
    const { callId } = await seedCall('+14155550144', 4);

    const ref = resultOf(await invoke({ action: 'export', callId })) as ExportRef;

    expect(ref.key.startsWith(`exports/${callId}/`)).toBe(true);
    expect(((await (await fetch(ref.url)).json()) as ExportDocument).subject).toEqual({ callId });
  });

  it('eraseExports deletes the exports of the erased calls and of their callers, and nothing else', async () => {
    const mine = await seedCall('+14155550145', 4);
    const theirs = await seedCall('+14155550146', 4);
    const callRef = resultOf(await invoke({ action: 'export', callId: mine.callId })) as ExportRef;
    const callerRef = resultOf(await invoke({ action: 'export', caller: '+14155550145' })) as ExportRef;
    const otherRef = resultOf(await invoke({ action: 'export', callId: theirs.callId })) as ExportRef;
    const callerHash = /^exports\/caller-([0-9a-f]{64})\//.exec(callerRef.key)?.[1] ?? '';
    const deps = { ...testPrivacyDeps(), exports: { objects: new S3ExportObjects(), maxInlineBytes: INLINE_MAX_BYTES } };

    const deleted = await eraseExports({ callIds: [mine.callId], callerHashes: [callerHash] }, deps);

    expect(deleted).toBe(2);
    const left = await keys('exports/');
    expect(left).toContain(otherRef.key);
    expect(left).not.toContain(callRef.key);
    expect(left).not.toContain(callerRef.key);
    expect((await fetch(callRef.url)).status).toBe(404);
    // Without an export store (unit-test deps) there is nothing to delete.
    expect(await eraseExports({ callIds: [theirs.callId], callerHashes: [] }, testPrivacyDeps())).toBe(0);
  });
});
