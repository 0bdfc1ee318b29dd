import { SK } from '#shared/storage/layout.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { callerHash } from '#shared/consent/caller-hash.js';
import { eraseCall, eraseCaller } from '#shared/privacy/erase.js';
import { exportCall, exportCaller } from '#shared/privacy/export.js';
import { setLegalHold } from '#shared/privacy/legal-hold.js';
import { SignalWireRecordings } from '#shared/signalwire/recordings.js';
import { LegalHoldError } from '#shared/privacy/types.js';
import { SignalWireDeleteError } from '#shared/signalwire/recordings.js';
import { ingestRecordingWebhook } from '#shared/recordings/ingest.js';
import { recordingDeps } from '#shared/recordings/recording-status-core.js';
import { parseRecordingWebhook } from '#shared/recordings/webhook.js';
import { seedCall, startSignalWireStandIn, testPrivacyDeps } from '#test/support/privacy-seed.js';
import { startTestStorage, TEST_SECRETS, type TestStorage } from '#test/support/storage.js';
import { storedView } from '#test/support/stored-view.js';

const ALICE = '+14155550100';
const BOB = '+12125550199';
const request = { reason: 'data-subject-request', requestedBy: 'privacy-team' };

describe('privacy erasure against the emulators', () => {
  let storage: TestStorage;
  let view: ReturnType<typeof storedView>;

  /** Independent view of what is stored (raw SDK calls, not the code under test). */
  async function stored(callId: string): Promise<{ sks: string[]; keys: string[] }> {
    return { sks: (await view.items(callId)).map((i) => String(i.sk)), keys: await view.allKeys(callId) };
  }

  beforeAll(async () => {
    storage = await startTestStorage();
    view = storedView(storage);
  });
  afterAll(async () => storage.stop());

  it('erase by call id deletes objects and items; export afterwards shows nothing but the tombstone', async () => {
    // Prepare
    const { callId } = await seedCall(ALICE, 2);
    const before = await stored(callId);
    expect(before.keys).toHaveLength(6); // 2 × (metadata, audio, archived audio)
    expect(before.sks).toContain('CONSENT');
    expect(before.sks.some((sk) => sk.startsWith('RECORDING#'))).toBe(true);

    // Act
    const result = await eraseCall(callId, request, testPrivacyDeps());
    const exported = await exportCall(callId, testPrivacyDeps());

    // Assess
    expect(result).toMatchObject({
      callId,
      status: 'erased',
      objects: 6,
      items: before.sks.filter((sk) => sk !== SK.guard).length,
      signalwire: 'not_configured',
    });
    const after = await stored(callId);
    expect(after.keys).toEqual([]);
    // The tombstone, and the call's write gate closed for good (it keeps every writer out).
    expect(after.sks).toEqual([SK.erasedTombstone, SK.guard]);
    const [call] = exported.calls;
    expect(call).toMatchObject({ callId, consent: null, recordings: [], objects: [], otherItems: [], legalHold: null });
    expect(call?.events).toHaveLength(1);
    expect(call?.events[0]).toMatchObject({
      type: 'erased',
      detail: {
        objects: 6,
        items: before.sks.filter((sk) => sk !== SK.guard).length,
        reason: 'data-subject-request',
        requestedBy: 'privacy-team',
        signalwireDeleted: 0,
      },
    });
  });

  it('export before erasure holds consent, events and recording metadata, and no caller number', async () => {
    const { callId, recordings } = await seedCall(ALICE, 1);

    const exported = await exportCall(callId, testPrivacyDeps());

    const [call] = exported.calls;
    expect(exported.subject).toEqual({ callId });
    expect(call?.consent).toMatchObject({
      callId,
      state: 'granted',
      callerHash: callerHash(ALICE, TEST_SECRETS.CALLER_HASH_SECRET),
    });
    expect(call?.events.map((e) => e.type)).toEqual(['disclosure_given', 'consent_granted', 'recording_stored']);
    expect(call?.recordings.map((r) => r.recordingId)).toEqual(recordings);
    expect(call?.objects).toHaveLength(3);
    expect(JSON.stringify(exported)).not.toContain('4155550100');
  });

  it('is idempotent: a second erase changes nothing and writes no second tombstone', async () => {
    const { callId } = await seedCall(ALICE, 1);
    await eraseCall(callId, request, testPrivacyDeps());
    const afterFirst = await stored(callId);

    const second = await eraseCall(callId, request, testPrivacyDeps());

    expect(second).toEqual({
      callId,
      status: 'already_erased',
      objects: 0,
      items: 0,
      signalwireDeleted: 0,
      signalwire: 'none_found',
    });
    expect(await stored(callId)).toEqual(afterFirst);
  });

  it('an unknown call id erases nothing and creates nothing', async () => {
    const result = await eraseCall('no-such-call', request, testPrivacyDeps());

    expect(result.status).toBe('nothing_held');
    expect(await stored('no-such-call')).toEqual({ sks: [], keys: [] });
  });

  it("erase by caller erases both of that caller's calls and leaves another caller's untouched", async () => {
    // Prepare
    const first = await seedCall(BOB, 1);
    const second = await seedCall(BOB, 1);
    const other = await seedCall(ALICE, 1);
    const otherBefore = await stored(other.callId);

    // Act: the number written differently still finds the calls (normalized before hashing)
    const result = await eraseCaller({ number: '+1 (212) 555-0199' }, request, testPrivacyDeps());

    // Assess
    expect(result.calls.map((c) => c.callId).sort()).toEqual([first.callId, second.callId].sort());
    expect(result.calls.every((c) => c.status === 'erased')).toBe(true);
    for (const { callId } of [first, second]) {
      const after = await stored(callId);
      expect(after.keys).toEqual([]);
      expect(after.sks).toEqual([SK.erasedTombstone, SK.guard]);
    }
    expect(await stored(other.callId)).toEqual(otherBefore);
    const exported = await exportCaller({ number: BOB }, testPrivacyDeps());
    expect(exported.calls).toEqual([]);
    // And again: nothing left to find, still succeeds.
    expect((await eraseCaller({ number: BOB }, request, testPrivacyDeps())).calls).toEqual([]);
  });

  it('erase by caller hash works like erase by number', async () => {
    const { callId } = await seedCall('+13125550142', 1);

    const result = await eraseCaller(
      { hash: callerHash('+13125550142', TEST_SECRETS.CALLER_HASH_SECRET) },
      request,
      testPrivacyDeps(),
    );

    expect(result.calls.map((c) => c.callId)).toEqual([callId]);
    expect((await stored(callId)).keys).toEqual([]);
  });

  it('refuses to erase a call under legal hold and changes nothing', async () => {
    // Prepare
    const { callId } = await seedCall(ALICE, 1);
    await setLegalHold(callId, true, { reason: 'case-17', requestedBy: 'legal' }, testPrivacyDeps());
    const before = await stored(callId);

    // Act
    const attempt = eraseCall(callId, request, testPrivacyDeps());

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(LegalHoldError);
    await expect(attempt).rejects.toThrow(/legal hold.*nothing changed/);
    expect(await stored(callId)).toEqual(before);
  });

  it("refuses a caller erasure when any of the caller's calls is held, erasing none of them", async () => {
    const number = '+16175550123';
    const free = await seedCall(number, 1);
    const held = await seedCall(number, 1);
    await setLegalHold(held.callId, true, { reason: 'case-18', requestedBy: 'legal' }, testPrivacyDeps());
    const freeBefore = await stored(free.callId);

    const attempt = eraseCaller({ number }, request, testPrivacyDeps());

    await expect(attempt).rejects.toThrow(held.callId);
    expect(await stored(free.callId)).toEqual(freeBefore);
  });

  describe("SignalWire's copy (local stand-in server)", () => {
    const projectId = 'project-1234';
    const apiToken = 'PT-api-token-5678';
    const expectedAuth = `Basic ${Buffer.from(`${projectId}:${apiToken}`).toString('base64')}`;

    it('DELETEs each recording once at /api/relay/rest/recordings/<uuid> with project basic auth', async () => {
      const standIn = await startSignalWireStandIn();
      try {
        const { callId, recordings } = await seedCall(ALICE, 2);
        const client = new SignalWireRecordings({ spaceUrl: standIn.url, projectId, apiToken });

        const result = await eraseCall(callId, request, testPrivacyDeps(client));

        expect(result).toMatchObject({ status: 'erased', signalwireDeleted: 2, signalwire: 'deleted' });
        expect(standIn.requests).toHaveLength(2);
        expect(standIn.requests.map((r) => r.path).sort()).toEqual(
          recordings.map((u) => `/api/relay/rest/recordings/${u}`).sort(),
        );
        for (const seen of standIn.requests) {
          expect(seen.method).toBe('DELETE');
          expect(seen.authorization).toBe(expectedAuth);
        }
      } finally {
        await standIn.close();
      }
    });

    it("deletes by the recording_id SignalWire's callback named, also when its URL carries no uuid", async () => {
      const standIn = await startSignalWireStandIn();
      try {
        const { callId } = await seedCall(ALICE, 0);
        const signalwireId = randomUUID();
        const callback = {
          event_type: 'calling.call.record',
          params: {
            call_id: callId,
            control_id: 'main',
            state: 'finished',
            recording_id: signalwireId,
            url: 'https://example.signalwire.com/media/segment.mp3',
            duration: 3,
            record: { audio: { format: 'mp3', direction: 'both', stereo: true } },
          },
        };
        await ingestRecordingWebhook(parseRecordingWebhook(callback), recordingDeps());
        const client = new SignalWireRecordings({ spaceUrl: standIn.url, projectId, apiToken });

        const result = await eraseCall(callId, request, testPrivacyDeps(client));

        expect(result).toMatchObject({ status: 'erased', signalwireDeleted: 1 });
        expect(standIn.requests.map((r) => r.path)).toEqual([`/api/relay/rest/recordings/${signalwireId}`]);
      } finally {
        await standIn.close();
      }
    });

    it('counts 404 as already deleted', async () => {
      const standIn = await startSignalWireStandIn(() => 404);
      try {
        const { callId } = await seedCall(ALICE, 1);
        const client = new SignalWireRecordings({ spaceUrl: standIn.url, projectId, apiToken });

        const result = await eraseCall(callId, request, testPrivacyDeps(client));

        expect(result).toMatchObject({ status: 'erased', signalwireDeleted: 1 });
        expect((await stored(callId)).keys).toEqual([]);
      } finally {
        await standIn.close();
      }
    });

    it('a 500 makes the erasure fail before any local deletion; the retry completes it', async () => {
      let status = 500;
      const standIn = await startSignalWireStandIn(() => status);
      try {
        const { callId } = await seedCall(ALICE, 1);
        const client = new SignalWireRecordings({ spaceUrl: standIn.url, projectId, apiToken });
        const before = await stored(callId);

        const failed = eraseCall(callId, request, testPrivacyDeps(client));

        await expect(failed).rejects.toBeInstanceOf(SignalWireDeleteError);
        await expect(failed).rejects.toThrow(/HTTP 500/);
        expect(await stored(callId)).toEqual(before);

        status = 204;
        const retried = await eraseCall(callId, request, testPrivacyDeps(client));
        expect(retried).toMatchObject({ status: 'erased', signalwireDeleted: 1 });
        expect((await stored(callId)).keys).toEqual([]);
      } finally {
        await standIn.close();
      }
    });
  });
});
