import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { handler } from '#functions/recording-status/handler.js';
import type { HttpResult } from '#shared/http/response.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import { eraseCall } from '#shared/privacy/erase.js';
import { exportCall } from '#shared/privacy/export.js';
import { LEGAL_HOLD_EXPIRES_AT } from '#shared/storage/layout.js';
import { setLegalHold } from '#shared/privacy/legal-hold.js';
import { LegalHoldError } from '#shared/privacy/types.js';
import type { PrivacyDeps } from '#shared/privacy/deps.js';
import { recordingDeps } from '#shared/recordings/recording-status-core.js';
import { ingestRecordingWebhook } from '#shared/recordings/ingest.js';
import { S3RecordingStore } from '#shared/recordings/recording-store.js';
import type { RecordingMetadata } from '#shared/recordings/metadata.js';
import { InProcessJobQueue } from '#shared/recordings/job-queue.js';
import { parseRecordingWebhook } from '#shared/recordings/webhook.js';
import { captureLogs } from '#test/support/logs.js';
import { seedCall, startSignalWireStandIn, testPrivacyDeps } from '#test/support/privacy-seed.js';
import { apiEvent, lambdaContext } from '#test/support/signalwire.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';
import { storedView } from '#test/support/stored-view.js';
import { resetInstance } from '#shared/instance.js';

// Integration level: the recording-status handler and shared/privacy's operations on the same
// emulated table and bucket (dynalite + s3rver), real AWS SDK clients. The transcription queue
// is InProcessJobQueue (QUEUE_URL unset): no SQS emulator exists here. SignalWire's
// REST API is a local HTTP stand-in.

const CALLER = '+14155550100';
const holdRequest = { reason: 'case-2025-17', requestedBy: 'legal' };
const eraseRequest = { reason: 'data-subject-request', requestedBy: 'privacy-team' };
const DAY_MS = 86_400_000;

let storage: TestStorage;
let view: ReturnType<typeof storedView>;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  storage = await startTestStorage();
  delete process.env.QUEUE_URL;
  resetInstance();
  view = storedView(storage);
});
afterAll(async () => storage.stop());
beforeEach(() => {
  resetInstance();
  logs = captureLogs();
});
afterEach(() => logs.restore());

const recUrl = (uuid: string): string => `https://example.signalwire.com/api/v1/recordings/${uuid}/download`;

function finishedBody(callId: string, uuid: string): Record<string, unknown> {
  return {
    event_type: 'calling.call.record',
    params: {
      call_id: callId,
      control_id: 'main',
      state: 'finished',
      record: { url: recUrl(uuid), duration: 7, size: 2048, format: 'mp3' },
    },
  };
}

async function post(body: unknown): Promise<HttpResult> {
  return handler(apiEvent({ path: '/recording-status', body }), lambdaContext('recording-status'));
}
const statusOf = (response: HttpResult): string => (JSON.parse(response.body) as { status: string }).status;

function queueMessages(recordingId: string): Array<{ metadataKey: string }> {
  const queue = recordingDeps().queue;
  if (!(queue instanceof InProcessJobQueue)) throw new Error('expected the in-process queue (QUEUE_URL unset)');
  return queue.messages.filter((m) => m.recordingId === recordingId);
}
const storedEvents = (all: Record<string, unknown>[], recordingId: string) =>
  all.filter(
    (i) => i.type === 'recording_stored' && (i.detail as { recordingId?: string } | undefined)?.recordingId === recordingId,
  );

/** Post the same callback `n` times at once, retrying 503s as SignalWire does, until all are answered 200. */
async function concurrently(body: unknown, n: number): Promise<string[]> {
  const statuses: string[] = [];
  let pending = n;
  for (let round = 0; round < 10 && pending > 0; round += 1) {
    const responses = await Promise.all(Array.from({ length: pending }, () => post(body)));
    expect(responses.every((r) => r.statusCode === 200 || r.statusCode === 503)).toBe(true);
    statuses.push(...responses.filter((r) => r.statusCode === 200).map(statusOf));
    pending = responses.filter((r) => r.statusCode === 503).length;
  }
  return statuses;
}

describe('finished-recording webhook for a call under legal hold', () => {
  it('lands under legal-hold/ as the hold lays it out, pinned, and exactly once under replays and concurrency', async () => {
    // Prepare: a call with one recording, then held
    const { callId, recordings } = await seedCall(CALLER, 1);
    await setLegalHold(callId, true, holdRequest, testPrivacyDeps());
    const late = randomUUID();
    const heldKey = `legal-hold/${callId}/recordings/${late}.json`;

    // Act: 10 replays in a row, then 10 at once
    const sequential: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const response = await post(finishedBody(callId, late));
      expect(response.statusCode).toBe(200);
      sequential.push(statusOf(response));
    }
    const parallel = await concurrently(finishedBody(callId, late), 10);

    // Assess: stored once, where the hold keeps the call's objects
    expect(sequential[0]).toBe('stored');
    expect([...sequential.slice(1), ...parallel]).toEqual(Array.from({ length: 19 }, () => 'duplicate'));
    expect(await view.keysUnder(`recordings/${callId}/`)).toEqual([]);
    expect(await view.keysUnder(`legal-hold/${callId}/recordings/`)).toEqual(
      [
        heldKey,
        `legal-hold/${callId}/recordings/${recordings[0]}.json`,
        `legal-hold/${callId}/recordings/${recordings[0]}.mp3`,
      ].sort(),
    );
    expect(await view.tags(heldKey)).toEqual([]);
    expect(await view.json(heldKey)).toMatchObject({
      callId,
      recordingId: late,
      url: recUrl(late),
      expiresAt: null,
      legalHold: { reason: 'case-2025-17' },
      consent: { state: 'granted' },
    });
    // The same shape as the documents the hold moved.
    expect(Object.keys(await view.json(heldKey)).sort()).toEqual(
      Object.keys(await view.json(`legal-hold/${callId}/recordings/${recordings[0]}.json`)).sort(),
    );
    const after = await view.items(callId);
    expect(storedEvents(after, late)).toHaveLength(1);
    expect(queueMessages(late)).toEqual([expect.objectContaining({ metadataKey: heldKey })]);
    // Every item, the new ledger entry and audit event included, is pinned to "never"; the marker has none.
    expect(after.find((i) => i.sk === `RECORDING#${late}`)).toBeDefined();
    for (const item of after.filter((i) => i.sk !== 'LEGAL_HOLD'))
      expect([item.sk, item.expiresAt]).toEqual([item.sk, LEGAL_HOLD_EXPIRES_AT]);
    expect(after.find((i) => i.sk === 'LEGAL_HOLD')?.expiresAt).toBeUndefined();
  }, 60_000);

  it('erasure is refused while held; release moves it back with the others; erasure then takes it too', async () => {
    // Prepare
    const { callId, recordings } = await seedCall(CALLER, 1);
    await setLegalHold(callId, true, holdRequest, testPrivacyDeps());
    const late = randomUUID();
    expect(statusOf(await post(finishedBody(callId, late)))).toBe('stored');

    // Act + Assess: erasure refused, nothing changed
    const before = await view.allKeys(callId);
    await expect(eraseCall(callId, eraseRequest, testPrivacyDeps())).rejects.toBeInstanceOf(LegalHoldError);
    expect(await view.allKeys(callId)).toEqual(before);

    // Act: release, clock pinned so the fresh expiry is checkable
    const releasedAt = new Date('2031-01-01T00:00:00.000Z');
    const deps: PrivacyDeps = { ...testPrivacyDeps(), now: () => releasedAt };
    const released = await setLegalHold(callId, false, { reason: 'case-closed', requestedBy: 'legal' }, deps);

    // Assess: the late recording came back with the seeded ones, tagged and expiring from the release
    expect(released).toMatchObject({ status: 'released', objectsMoved: 4 });
    expect(await view.keysUnder(`legal-hold/${callId}/`)).toEqual([]);
    expect(await view.keysUnder(`recordings/${callId}/`)).toEqual(
      [
        `recordings/${callId}/${late}.json`,
        `recordings/${callId}/${recordings[0]}.json`,
        `recordings/${callId}/${recordings[0]}.mp3`,
      ].sort(),
    );
    const back = await view.json(`recordings/${callId}/${late}.json`);
    expect(back.legalHold).toBeUndefined();
    // Counted from the recording (what the caller was told), not from the release.
    expect(back.expiresAt).toBe(new Date(Date.parse(back.receivedAt as string) + 90 * DAY_MS).toISOString());
    expect(await view.tags(`recordings/${callId}/${late}.json`)).toEqual(['retention=standard']);
    // A replay after the release is still a duplicate: nothing written twice, nothing under legal-hold/.
    expect(statusOf(await post(finishedBody(callId, late)))).toBe('duplicate');
    expect(await view.keysUnder(`legal-hold/${callId}/`)).toEqual([]);

    // Act + Assess: erasure now takes everything, the late recording included
    const erased = await eraseCall(callId, eraseRequest, testPrivacyDeps());
    expect(erased).toMatchObject({ status: 'erased', objects: 4 });
    expect(await view.allKeys(callId)).toEqual([]);
  }, 60_000);

  it('a hold set while the webhook is storing waits for it: its metadata and audit event end up held', async () => {
    // Prepare: the hold starts right after the metadata object is written, while the webhook is inside the gate
    const { callId } = await seedCall(CALLER, 1);
    const late = randomUUID();
    const base = recordingDeps();
    const metadata = new S3RecordingStore();
    let holding: Promise<unknown> | undefined;
    const racing = Object.assign(Object.create(metadata) as S3RecordingStore, {
      put: async (doc: RecordingMetadata) => {
        const key = await metadata.put(doc);
        holding = setLegalHold(callId, true, holdRequest, testPrivacyDeps());
        await new Promise((resolve) => setTimeout(resolve, 100));
        return key;
      },
    });

    // Act
    const result = await ingestRecordingWebhook(parseRecordingWebhook(finishedBody(callId, late)), {
      ...base,
      metadata: racing,
      callData: new AwsCallDataStore(),
    });
    const held = await holding;

    // Assess: the hold drained the webhook before it listed, so the late recording moved with the rest
    expect(result.outcome).toBe('stored');
    expect(held).toMatchObject({ status: 'held' });
    expect(await view.keysUnder(`recordings/${callId}/`)).toEqual([]);
    expect(await view.json(`legal-hold/${callId}/recordings/${late}.json`)).toMatchObject({
      expiresAt: null,
      legalHold: { reason: 'case-2025-17' },
    });
    const after = await view.items(callId);
    expect(storedEvents(after, late)).toHaveLength(1);
    for (const item of after.filter((i) => i.sk !== 'LEGAL_HOLD'))
      expect([item.sk, item.expiresAt]).toEqual([item.sk, LEGAL_HOLD_EXPIRES_AT]);
  }, 30_000);

  it('a webhook arriving while the hold runs writes the held layout itself', async () => {
    // Prepare: the whole webhook runs after the gate turned held, before the hold lists the call's objects
    const { callId } = await seedCall(CALLER, 1);
    const late = randomUUID();
    const data = new AwsCallDataStore();
    let listings = 0;
    const interleaved = Object.assign(Object.create(data) as AwsCallDataStore, {
      listObjects: async (id: string) => {
        // The first listing is the hold's look before its lock; the second comes after the gate turned.
        if (++listings === 2) {
          expect(statusOf(await post(finishedBody(callId, late)))).toBe('stored');
        }
        return data.listObjects(id);
      },
    });

    // Act
    const held = await setLegalHold(callId, true, holdRequest, { ...testPrivacyDeps(), data: interleaved });

    // Assess: the late one was written under legal-hold/ by the webhook; the hold moved the seeded three
    expect(held).toMatchObject({ status: 'held', objectsMoved: 3 });
    expect(await view.keysUnder(`recordings/${callId}/`)).toEqual([]);
    expect(await view.json(`legal-hold/${callId}/recordings/${late}.json`)).toMatchObject({
      expiresAt: null,
      legalHold: { reason: 'case-2025-17' },
    });
    expect(await view.tags(`legal-hold/${callId}/recordings/${late}.json`)).toEqual([]);
    for (const item of (await view.items(callId)).filter((i) => i.sk !== 'LEGAL_HOLD')) {
      expect([item.sk, item.expiresAt]).toEqual([item.sk, LEGAL_HOLD_EXPIRES_AT]);
    }
  }, 30_000);
});

describe('webhook after the call was erased', () => {
  it('stores nothing and answers 200 discarded_erased, every time; export shows only the tombstone', async () => {
    // Prepare
    const { callId } = await seedCall(CALLER, 1);
    await eraseCall(callId, eraseRequest, testPrivacyDeps());
    const late = randomUUID();

    // Act: the finished callback (replayed), and the failure states too
    const bodies = [
      finishedBody(callId, late),
      finishedBody(callId, late),
      { call_id: callId, recording_url: recUrl(late), duration: 7, status: 'completed' },
      { event_type: 'calling.call.record', params: { call_id: callId, control_id: 'main', state: 'no_input' } },
    ];
    const responses = [];
    for (const body of bodies) responses.push(await post(body));
    const parallel = await concurrently(finishedBody(callId, late), 5);

    // Assess
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect([...responses.map(statusOf), ...parallel]).toEqual(Array.from({ length: 9 }, () => 'discarded_erased'));
    expect(await view.allKeys(callId)).toEqual([]);
    const left = await view.items(callId);
    expect(left.map((i) => i.type ?? i.sk)).toEqual(['erased', 'GUARD']);
    expect(queueMessages(late)).toEqual([]);
    const [call] = (await exportCall(callId, testPrivacyDeps())).calls;
    expect(call).toMatchObject({ callId, consent: null, recordings: [], objects: [], otherItems: [], legalHold: null });
    expect(call?.events.map((e) => e.type)).toEqual(['erased']);
    // A warning per callback, naming the call and nothing from the body.
    const warnings = logs.lines().filter((l) => l.includes('recording callback for an erased call discarded'));
    expect(warnings.length).toBe(9);
    for (const line of warnings) expect(line).toContain(callId);
    expect(logs.text()).not.toContain(late);
  }, 30_000);

  it("deletes SignalWire's copy when project credentials are configured; an unconfirmed delete is a 503, retried", async () => {
    // Prepare: SignalWire answers 500 once, then 204
    let calls = 0;
    const signalwire = await startSignalWireStandIn(() => (++calls === 1 ? 500 : 204));
    const env = {
      SIGNALWIRE_PROJECT_ID: 'project-1',
      SIGNALWIRE_API_TOKEN: 'PT-test-token',
      SIGNALWIRE_SPACE_URL: signalwire.url,
    };
    Object.assign(process.env, env);
    resetInstance();
    try {
      const { callId } = await seedCall(CALLER, 1);
      await eraseCall(callId, eraseRequest, { ...testPrivacyDeps(), signalwire: undefined });
      const late = randomUUID();
      signalwire.requests.length = 0;

      // Act
      const first = await post(finishedBody(callId, late));
      const retry = await post(finishedBody(callId, late));

      // Assess
      expect(first.statusCode).toBe(503);
      expect(first.headers?.['Retry-After']).toBe('5');
      expect(retry.statusCode).toBe(200);
      expect(statusOf(retry)).toBe('discarded_erased');
      const expectedAuth = `Basic ${Buffer.from('project-1:PT-test-token').toString('base64')}`;
      expect(signalwire.requests).toEqual([
        { method: 'DELETE', path: `/api/relay/rest/recordings/${late}`, authorization: expectedAuth },
        { method: 'DELETE', path: `/api/relay/rest/recordings/${late}`, authorization: expectedAuth },
      ]);
      expect(await view.allKeys(callId)).toEqual([]);
      expect((await view.items(callId)).map((i) => i.type ?? i.sk)).toEqual(['erased', 'GUARD']);
      expect(logs.text()).not.toContain('PT-test-token');
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
      resetInstance();
      await signalwire.close();
    }
  }, 30_000);
});
