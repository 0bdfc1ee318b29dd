import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { CallErasedError } from '#shared/consent/types.js';
import { eraseCall, eraseCaller } from '#shared/privacy/erase.js';
import { setLegalHold } from '#shared/privacy/legal-hold.js';
import { runPrivacyRequest } from '#shared/privacy/privacy-core.js';
import { LEGAL_HOLD_EXPIRES_AT, SK } from '#shared/storage/layout.js';
import { CallBusyError, dynamoWriteGate } from '#shared/storage/write-gate.js';
import { captureLogs } from '#test/support/logs.js';
import { seedCall, testPrivacyDeps } from '#test/support/privacy-seed.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';
import { storedView } from '#test/support/stored-view.js';

// The per-call write gate (shared/storage/write-gate.ts) on dynalite: what erasure does with a
// writer that does not leave, the operator lock, and what writers see in each phase.

const CALLER = '+13125550142';
const request = { reason: 'data-subject-request', requestedBy: 'dpo' };

let storage: TestStorage;
let view: ReturnType<typeof storedView>;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  storage = await startTestStorage();
  view = storedView(storage);
});
afterAll(async () => storage.stop());
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('write gate: erasure with a writer still inside', () => {
  it('says incomplete (never erased) while a writer is in flight, keeps finding the call by caller, and completes once its lease lapses', async () => {
    // Prepare: a writer entered (a webhook mid-store, say) with a short lease and never leaves (it crashed).
    const { callId } = await seedCall(CALLER, 1);
    const stuck = await dynamoWriteGate().enter(callId, { leaseMs: 1500 });
    expect(stuck).not.toBe('erased');
    const deps = { ...testPrivacyDeps(), drainBudgetMs: 100 };

    // Act: erasure waits 100 ms for it, then deletes what is there
    const first = await eraseCall(callId, request, deps);

    // Assess: incomplete, with the writer named; the consent item is gone, yet the caller still finds the call
    expect(first).toMatchObject({ status: 'incomplete', remaining: { objects: 0, items: 0, writersInFlight: 1 } });
    expect((await view.items(callId)).map((i) => i.sk)).toEqual([SK.erasedTombstone, SK.guard]);
    expect((await view.items(callId)).find((i) => i.sk === SK.guard)).toMatchObject({ erasure: 'erasing' });
    const again = await eraseCaller({ number: CALLER }, request, deps);
    expect(again.calls.map((c) => [c.callId, c.status])).toContainEqual([callId, 'incomplete']);
    // No writer gets in meanwhile.
    expect(await dynamoWriteGate().enter(callId)).toBe('erased');
    await expect(new DynamoConsentStore().appendEvent(callId, { type: 'disclosure_given' })).rejects.toBeInstanceOf(
      CallErasedError,
    );

    // Act: after the lease lapsed (Lambda has ended that writer by then)
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const done = await eraseCaller({ number: CALLER }, request, deps);

    // Assess: erased, and the caller's hash is gone from the gate, so the caller finds nothing more
    expect(done.calls.map((c) => [c.callId, c.status])).toContainEqual([callId, 'erased']);
    const gate = (await view.items(callId)).find((i) => i.sk === SK.guard);
    expect(gate).toMatchObject({ erasure: 'erased' });
    expect(gate?.callerHash).toBeUndefined();
    expect((await eraseCaller({ number: CALLER }, request, deps)).calls.map((c) => c.callId)).not.toContain(callId);
  }, 30_000);
});

describe('write gate: the operator lock', () => {
  it('refuses a second operator on the same call with a retryable busy answer, and frees the lock after', async () => {
    const { callId } = await seedCall(CALLER, 1);
    const gate = dynamoWriteGate();
    const lock = await gate.lock(callId, 'hold');
    await expect(gate.lock(callId, 'erase')).rejects.toBeInstanceOf(CallBusyError);
    const busy = await runPrivacyRequest({ action: 'erase', callId }, testPrivacyDeps());
    expect(busy).toMatchObject({ ok: false, error: { code: 'busy', retryable: true } });
    expect(JSON.stringify(busy)).not.toContain(callId);
    await gate.unlock(lock);
    expect(await runPrivacyRequest({ action: 'erase', callId }, testPrivacyDeps())).toMatchObject({
      ok: true,
      result: { status: 'erased' },
    });
  });

  it('refuses to hold a call whose erasure began, and to erase a call whose hold began', async () => {
    const erasing = await seedCall(CALLER, 1);
    const gate = dynamoWriteGate();
    await gate.beginErasure(await gate.lock(erasing.callId, 'erase'), undefined);
    // The lock of that erasure is still held: the hold is busy; once it lapses it would be refused as erased.
    expect(await runPrivacyRequest({ action: 'hold', callId: erasing.callId }, testPrivacyDeps())).toMatchObject({
      ok: false,
      error: { code: 'busy' },
    });

    const holding = await seedCall(CALLER, 1);
    const lock = await gate.lock(holding.callId, 'hold');
    await gate.setHeld(lock, true);
    await gate.unlock(lock);
    expect(await runPrivacyRequest({ action: 'erase', callId: holding.callId }, testPrivacyDeps())).toMatchObject({
      ok: false,
      error: { code: 'legal_hold' },
    });
  });
});

describe('write gate: what writers see', () => {
  it('audit events and consent written while a call is held never expire; after release they expire again', async () => {
    const { callId } = await seedCall(CALLER, 1);
    await setLegalHold(callId, true, { reason: 'case-9', requestedBy: 'legal' }, testPrivacyDeps());
    const store = new DynamoConsentStore();
    await store.appendEvent(callId, { type: 'disclosure_given' });
    await store.setConsent(callId, 'withdrawn', { category: 'withdrawal:caller-request' });
    for (const item of await view.items(callId)) {
      if (item.sk !== SK.legalHold) expect([item.sk, item.expiresAt]).toEqual([item.sk, LEGAL_HOLD_EXPIRES_AT]);
    }
    await setLegalHold(callId, false, { reason: 'case-closed', requestedBy: 'legal' }, testPrivacyDeps());
    await store.appendEvent(callId, { type: 'call_started' });
    for (const item of await view.items(callId))
      expect([item.sk, item.expiresAt === LEGAL_HOLD_EXPIRES_AT]).toEqual([item.sk, false]);
  });

  it('leaves no lease behind: every writer that entered has left once its write is done', async () => {
    const { callId } = await seedCall(CALLER, 2);
    const gate = (await view.items(callId)).find((i) => i.sk === SK.guard);
    expect(gate).toBeDefined();
    expect(gate?.writers).toBeUndefined();
  });
});
