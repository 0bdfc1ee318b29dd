import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { eraseCall } from '#shared/privacy/erase.js';
import { exportCall } from '#shared/privacy/export.js';
import { setLegalHold } from '#shared/privacy/legal-hold.js';
import { LEGAL_HOLD_EXPIRES_AT } from '#shared/storage/layout.js';
import { CallNotFoundError } from '#shared/privacy/types.js';
import type { PrivacyDeps } from '#shared/privacy/deps.js';
import { seedCall, testPrivacyDeps } from '#test/support/privacy-seed.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';
import { storedView } from '#test/support/stored-view.js';

const CALLER = '+14155550100';
const holdRequest = { reason: 'case-2025-17', requestedBy: 'legal' };
const DAY = 86_400;

describe('legal hold against the emulators', () => {
  let storage: TestStorage;
  let view: ReturnType<typeof storedView>;

  beforeAll(async () => {
    storage = await startTestStorage();
    view = storedView(storage);
  });
  afterAll(async () => storage.stop());

  it('hold moves every object to legal-hold/ and removes every expiry; release moves them back with a fresh one', async () => {
    // Prepare
    const { callId, recordings } = await seedCall(CALLER, 2);
    const [uuid] = recordings as [string];
    const original = (await view.keysUnder(`recordings/${callId}/`)).concat(await view.keysUnder(`archive/${callId}/`));
    expect(original).toHaveLength(6);

    // Act: hold
    const held = await setLegalHold(callId, true, holdRequest, testPrivacyDeps());

    // Assess: nothing left under the expiring prefixes, everything under legal-hold/<call>/<origin>/
    expect(held).toMatchObject({ callId, status: 'held', objectsMoved: 6 });
    expect(await view.keysUnder(`recordings/${callId}/`)).toEqual([]);
    expect(await view.keysUnder(`archive/${callId}/`)).toEqual([]);
    expect(await view.keysUnder(`legal-hold/${callId}/`)).toEqual(
      [
        `legal-hold/${callId}/archive/${recordings[0]}.mp3`,
        `legal-hold/${callId}/archive/${recordings[1]}.mp3`,
        `legal-hold/${callId}/recordings/${recordings[0]}.json`,
        `legal-hold/${callId}/recordings/${recordings[0]}.mp3`,
        `legal-hold/${callId}/recordings/${recordings[1]}.json`,
        `legal-hold/${callId}/recordings/${recordings[1]}.mp3`,
      ].sort(),
    );
    const heldDoc = await view.json(`legal-hold/${callId}/recordings/${uuid}.json`);
    expect(heldDoc).toMatchObject({ recordingId: uuid, expiresAt: null, legalHold: { reason: 'case-2025-17' } });
    expect(await view.tags(`legal-hold/${callId}/recordings/${uuid}.json`)).toEqual([]);
    const heldItems = await view.items(callId);
    for (const item of heldItems.filter((i) => i.sk !== 'LEGAL_HOLD')) expect(item.expiresAt).toBe(LEGAL_HOLD_EXPIRES_AT);
    expect(heldItems.find((i) => i.sk === 'LEGAL_HOLD')?.expiresAt).toBeUndefined();
    expect(heldItems.find((i) => i.sk === 'CONSENT')).toMatchObject({ legalHold: true, version: 4 }); // 2 when seeded, +1 flag, +1 expiry
    expect(heldItems.find((i) => i.sk === 'LEGAL_HOLD')).toMatchObject({ reason: 'case-2025-17', requestedBy: 'legal' });
    expect(heldItems.filter((i) => i.type === 'legal_hold_set')).toHaveLength(1);
    // Export shows the hold and the held documents.
    const exported = (await exportCall(callId, testPrivacyDeps())).calls[0];
    expect(exported?.legalHold).toMatchObject({ reason: 'case-2025-17' });
    expect(exported?.recordings).toHaveLength(2);

    // Act: release (pinned clock so the fresh expiry is checkable)
    const releasedAt = new Date('2031-01-01T00:00:00.000Z');
    const deps: PrivacyDeps = { ...testPrivacyDeps(), now: () => releasedAt };
    const released = await setLegalHold(callId, false, { reason: 'case-closed', requestedBy: 'legal' }, deps);

    // Assess: back where they were, tagged for retention, expiring from now
    expect(released).toMatchObject({ status: 'released', objectsMoved: 6 });
    expect(await view.keysUnder(`legal-hold/${callId}/`)).toEqual([]);
    expect((await view.keysUnder(`recordings/${callId}/`)).concat(await view.keysUnder(`archive/${callId}/`)).sort()).toEqual(
      original.sort(),
    );
    const back = await view.json(`recordings/${callId}/${uuid}.json`);
    expect(back.legalHold).toBeUndefined();
    // Counted from the recording (what the caller was told), not from the release.
    expect(back.expiresAt).toBe(new Date(Date.parse(back.receivedAt as string) + 90 * DAY * 1000).toISOString());
    expect(await view.tags(`recordings/${callId}/${uuid}.json`)).toEqual(['retention=standard']);
    expect(await view.tags(`archive/${callId}/${uuid}.mp3`)).toEqual(['retention=standard']);
    const releasedItems = await view.items(callId);
    expect(releasedItems.find((i) => i.sk === 'LEGAL_HOLD')).toBeUndefined();
    expect(releasedItems.find((i) => i.sk === 'CONSENT')?.legalHold).toBeUndefined();
    const floor = releasedAt.getTime() / 1000 + 90 * DAY;
    for (const item of releasedItems) {
      expect(item.expiresAt as number).toBeGreaterThanOrEqual(floor);
      expect(item.expiresAt as number).toBeLessThan(LEGAL_HOLD_EXPIRES_AT);
    }
    expect(releasedItems.filter((i) => i.type === 'legal_hold_released')).toHaveLength(1);

    // And erasure is possible again.
    expect((await eraseCall(callId, { reason: 'data-subject-request', requestedBy: 'ops' }, testPrivacyDeps())).status).toBe(
      'erased',
    );
  });

  it('a second hold is a no-op that writes no second audit event; release of an unheld call says so', async () => {
    const { callId } = await seedCall(CALLER, 1);
    await setLegalHold(callId, true, holdRequest, testPrivacyDeps());

    const again = await setLegalHold(callId, true, holdRequest, testPrivacyDeps());

    expect(again).toMatchObject({ status: 'already_held', objectsMoved: 0 });
    // A consent change during the hold (a live call) keeps the hold and its "never" expiry.
    const changed = await new DynamoConsentStore().setConsent(callId, 'withdrawn', { category: 'stop-request' });
    expect(changed).toMatchObject({ state: 'withdrawn', legalHold: true, expiresAt: LEGAL_HOLD_EXPIRES_AT });
    expect((await view.items(callId)).filter((i) => i.type === 'legal_hold_set')).toHaveLength(1);
    await setLegalHold(callId, false, holdRequest, testPrivacyDeps());
    expect(await setLegalHold(callId, false, holdRequest, testPrivacyDeps())).toMatchObject({ status: 'not_held' });
  });

  it('refuses to hold a call with nothing stored', async () => {
    await expect(setLegalHold('unknown-call', true, holdRequest, testPrivacyDeps())).rejects.toBeInstanceOf(CallNotFoundError);
    expect(await view.items('unknown-call')).toEqual([]);
  });
});
