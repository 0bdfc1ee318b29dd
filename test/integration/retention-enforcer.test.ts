import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { setLegalHold } from '#shared/privacy/legal-hold.js';
import { archiveWorkerCore } from '#shared/recordings/archive-worker-core.js';
import { buildMetadata } from '#shared/recordings/metadata.js';
import { S3RecordingStore } from '#shared/recordings/recording-store.js';
import { DynamoRetentionSource } from '#shared/retention/dynamo-retention-source.js';
import { enforceRetention, RetentionRunError, type RetentionDeps } from '#shared/retention/enforcer-core.js';
import { SignalWireRecordings } from '#shared/signalwire/recordings.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import { audioKey, metadataKey } from '#shared/storage/layout.js';
import { captureLogs } from '#test/support/logs.js';
import { testPrivacyDeps } from '#test/support/privacy-seed.js';
import { startSignalWireRest, type SignalWireRest } from '#test/support/signalwire-rest.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';
import { storedView } from '#test/support/stored-view.js';

// The enforcer and the archive worker against the embedded emulators (dynalite, s3rver) and the
// local SignalWire REST stand-in (test/support/signalwire-rest.ts).

const DAY_MS = 86_400_000;
const hold = { reason: 'case-7', requestedBy: 'legal' };

let storage: TestStorage;
let rest: SignalWireRest;
let view: ReturnType<typeof storedView>;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  storage = await startTestStorage();
  rest = await startSignalWireRest({ pageSize: 2 });
  view = storedView(storage);
});
afterAll(async () => {
  await rest.close();
  await storage.stop();
});
beforeEach(() => {
  rest.reset();
  logs = captureLogs();
});
afterEach(() => logs.restore());

const client = (): SignalWireRecordings =>
  new SignalWireRecordings({ spaceUrl: rest.spaceUrl, projectId: rest.projectId, apiToken: rest.apiToken });

function deps(now: Date, overrides: Partial<RetentionDeps> = {}): RetentionDeps {
  return {
    data: new AwsCallDataStore(),
    gate: dynamoWriteGate(),
    source: new DynamoRetentionSource(),
    events: new DynamoConsentStore(),
    signalwire: client(),
    retentionDays: 90,
    now: () => now,
    ...overrides,
  };
}

/** A stored recording (metadata + audio) received at `receivedAt`, known to the stand-in too. */
async function storedRecording(receivedAt: Date, callId = randomUUID()): Promise<{ callId: string; uuid: string }> {
  const uuid = randomUUID();
  const url = `${rest.spaceUrl}/api/v1/recordings/${uuid}/download`;
  const metadata = buildMetadata(
    {
      callId,
      recordingId: uuid,
      signalwireRecordingId: uuid,
      controlId: 'main',
      state: 'finished',
      format: 'mp3',
      url,
      shape: 'signalwire',
    },
    'missing',
    receivedAt,
    { stereo: true, retentionDays: 90 },
  );
  const store = new S3RecordingStore();
  await store.put(metadata);
  await store.putAudio(audioKey(callId, uuid, 'mp3'), new Uint8Array([1, 2, 3]), 'audio/mpeg');
  rest.add({ id: uuid, call_id: callId, created_at: receivedAt.toISOString() });
  return { callId, uuid };
}

describe('retention enforcer', () => {
  it('deletes a recording past retention counted from the recording, though a hold release restarted its clock', async () => {
    // Prepare: received 100 days ago, held, released today: the object and its expiresAt are fresh.
    const now = new Date();
    const { callId, uuid } = await storedRecording(new Date(now.getTime() - 100 * DAY_MS));
    await setLegalHold(callId, true, hold, testPrivacyDeps());
    await setLegalHold(callId, false, hold, testPrivacyDeps());
    const released = await view.json(metadataKey(callId, uuid));
    // The document says it is due (counted from the recording); S3's lifecycle clock restarted with the copy back.
    expect(new Date(String(released.expiresAt)).getTime()).toBeLessThan(now.getTime());
    // Act
    const report = await enforceRetention(deps(now));
    // Assess: ours and SignalWire's copy gone
    expect(await view.allKeys(callId)).toEqual([]);
    expect(rest.recordings.has(uuid)).toBe(false);
    expect(report.recordingsDeleted).toBeGreaterThanOrEqual(1);
  });

  it('leaves a held call untouched: objects, items and SignalWire copy', async () => {
    const now = new Date();
    const { callId, uuid } = await storedRecording(new Date(now.getTime() - 200 * DAY_MS));
    await setLegalHold(callId, true, hold, testPrivacyDeps());
    const before = await view.allKeys(callId);
    const itemsBefore = await view.items(callId);
    // Act
    await enforceRetention(deps(now));
    // Assess
    expect(before.length).toBe(2);
    expect(await view.allKeys(callId)).toEqual(before);
    expect(await view.items(callId)).toEqual(itemsBefore);
    expect(rest.recordings.has(uuid)).toBe(true);
    expect(rest.requests.filter((r) => r.startsWith('DELETE'))).toEqual([]);
  });

  it('deletes table items past their expiresAt and keeps those still running', async () => {
    // Prepare: one call written 200 days ago (items expire after 90 + 30 days), one today.
    const now = new Date();
    const old = randomUUID();
    const fresh = randomUUID();
    const past = new DynamoConsentStore(undefined, undefined, 90, { clock: () => new Date(now.getTime() - 200 * DAY_MS) });
    await past.ensureCall(old, { jurisdiction: { code: 'US-TX', name: 'Texas', rule: 'one-party', citation: 'x' } });
    await past.appendEvent(old, { type: 'disclosure_given' });
    await new DynamoConsentStore().appendEvent(fresh, { type: 'disclosure_given' });
    // The consent item, the event and the call's write gate (shared/storage/write-gate.ts).
    expect((await view.items(old)).map((i) => i.sk)).toEqual(['CONSENT', expect.stringMatching(/^EVENT#/), 'GUARD']);
    // Act
    await enforceRetention(deps(now));
    // Assess
    expect(await view.items(old)).toEqual([]);
    expect((await view.items(fresh)).map((i) => i.sk)).toEqual([expect.stringMatching(/^EVENT#/), 'GUARD']);
  });

  it('walks SignalWire pages within the page budget, resuming next run; an unknown recording is an incident, deleted once past retention', async () => {
    // Prepare: five recordings at SignalWire (pages of two); one of them we never heard of.
    const now = new Date();
    for (let i = 0; i < 4; i += 1) await storedRecording(new Date(now.getTime() - DAY_MS));
    const unknownCall = randomUUID();
    await new DynamoConsentStore().appendEvent(unknownCall, { type: 'disclosure_given' });
    const lost = randomUUID();
    rest.add({ id: lost, call_id: unknownCall, created_at: new Date(now.getTime() - DAY_MS).toISOString() });
    // Act: page budget 1 → three runs to walk five recordings
    let incidentsReported = 0;
    for (let run = 0; run < 3; run += 1) incidentsReported += (await enforceRetention(deps(now, { pageBudget: 1 }))).incidents;
    // Assess: three list requests, the later ones with the page token from links.next
    const lists = rest.requests.filter((r) => r === 'GET /api/relay/rest/recordings');
    expect(lists).toHaveLength(3);
    const incidents = (await view.items(unknownCall)).filter((i) => i.type === 'recording_incident');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ detail: { reason: 'recording_without_callback', recordingId: lost } });
    expect(logs.text()).toContain('"incident":"recording_without_callback"');
    expect(incidentsReported).toBe(1);
    expect(rest.recordings.has(lost)).toBe(true); // within retention: kept
    // Act: 91 days later a full walk deletes it, and reports no second incident
    await enforceRetention(deps(new Date(now.getTime() + 91 * DAY_MS)));
    expect(rest.recordings.has(lost)).toBe(false);
    expect((await view.items(unknownCall)).filter((i) => i.type === 'recording_incident')).toHaveLength(1);
  });

  it('reports a SignalWire 5xx for one recording, deletes the others, keeps ours for the next run', async () => {
    const now = new Date();
    const failing = await storedRecording(new Date(now.getTime() - 100 * DAY_MS));
    const fine = await storedRecording(new Date(now.getTime() - 100 * DAY_MS));
    rest.failDelete(failing.uuid, 503);
    // Act
    const run = enforceRetention(deps(now));
    // Assess
    await expect(run).rejects.toBeInstanceOf(RetentionRunError);
    expect(await view.allKeys(fine.callId)).toEqual([]);
    expect(await view.allKeys(failing.callId)).toHaveLength(2);
    expect(rest.recordings.has(failing.uuid)).toBe(true);
    // The next run, SignalWire healthy again, finishes it.
    rest.reset();
    rest.add({ id: failing.uuid, call_id: failing.callId, created_at: new Date(now.getTime() - 100 * DAY_MS).toISOString() });
    await enforceRetention(deps(now));
    expect(await view.allKeys(failing.callId)).toEqual([]);
  });

  it('reports storage and network faults after doing what it could', async () => {
    const now = new Date();
    const broken = await storedRecording(new Date(now.getTime() - 100 * DAY_MS));
    const other = await storedRecording(new Date(now.getTime() - 100 * DAY_MS));
    const data = new AwsCallDataStore();
    const flaky = Object.assign(Object.create(data) as AwsCallDataStore, {
      listItems: (callId: string) =>
        callId === broken.callId ? Promise.reject(new Error('ServiceUnavailable')) : data.listItems(callId),
    });
    // Act
    const error = await enforceRetention(deps(now, { data: flaky })).catch((e: unknown) => e);
    // Assess: the other call done, the broken one kept and reported
    expect(error).toBeInstanceOf(RetentionRunError);
    expect((error as RetentionRunError).report.failures.join('\n')).toMatch(/ServiceUnavailable/);
    expect(await view.allKeys(other.callId)).toEqual([]);
    expect(await view.allKeys(broken.callId)).toHaveLength(2);
    // SignalWire unreachable while listing (nothing else is due now): reported too.
    await enforceRetention(deps(now));
    rest.failNext('network');
    const listing = await enforceRetention(deps(now)).catch((e: unknown) => e);
    expect((listing as RetentionRunError).report.failures.join('\n')).toMatch(/signalwire listing: SignalWireListError/);
  });
});

describe("SignalWire's copy after the archive", () => {
  const sqsEvent = (callId: string, recordingId: string): SQSEvent =>
    ({ Records: [{ messageId: 'm0', body: JSON.stringify({ callId, recordingId, metadataKey: 'k' }) }] }) as unknown as SQSEvent;
  const workerDeps = (mode: 'delete-after-archive' | 'keep-until-retention') => ({
    metadata: new S3RecordingStore(),
    credentials: { projectId: rest.projectId, apiToken: rest.apiToken },
    allowedHosts: ['127.0.0.1'],
    copy: { mode, signalwire: client(), events: new DynamoConsentStore() },
  });

  it('is deleted once our audio is in the bucket, recorded as an audit event; a 5xx fails the job without re-downloading', async () => {
    const { callId, uuid } = await storedRecording(new Date());
    await new S3RecordingStore().deleteForCall(callId); // metadata only, audio not yet archived
    await new S3RecordingStore().put(
      buildMetadata(
        {
          callId,
          recordingId: uuid,
          controlId: 'main',
          state: 'finished',
          format: 'mp3',
          url: `${rest.spaceUrl}/api/v1/recordings/${uuid}/download`,
          shape: 'signalwire',
        },
        'missing',
        new Date(),
        { stereo: true, retentionDays: 90 },
      ),
    );
    rest.failDelete(uuid, 500);
    // Act: first attempt archives, then SignalWire fails the delete
    const first = await archiveWorkerCore(sqsEvent(callId, uuid), workerDeps('delete-after-archive'));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    expect(await view.keysUnder(`recordings/${callId}/`)).toContain(audioKey(callId, uuid, 'mp3'));
    // Act: the retry
    rest.reset();
    rest.add({ id: uuid, call_id: callId, created_at: new Date().toISOString() });
    const retry = await archiveWorkerCore(sqsEvent(callId, uuid), workerDeps('delete-after-archive'));
    // Assess
    expect(retry.batchItemFailures).toEqual([]);
    expect(rest.recordings.has(uuid)).toBe(false);
    expect(rest.requests.filter((r) => r.endsWith('/download'))).toEqual([]); // already archived
    const events = (await view.items(callId)).filter((i) => i.type === 'signalwire_copy_deleted');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ detail: { recordingId: uuid, result: 'deleted' } });
  });

  it('is kept with keep-until-retention', async () => {
    const { callId, uuid } = await storedRecording(new Date());
    const response = await archiveWorkerCore(sqsEvent(callId, uuid), workerDeps('keep-until-retention'));
    expect(response.batchItemFailures).toEqual([]);
    expect(rest.recordings.has(uuid)).toBe(true);
    expect(rest.requests.filter((r) => r.startsWith('DELETE'))).toEqual([]);
  });
});
