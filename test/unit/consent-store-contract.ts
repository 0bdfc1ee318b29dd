import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { jurisdictionFor } from '#shared/consent/jurisdictions.js';
import { POLICY_VERSION } from '#shared/consent/policy.js';
import { EVIDENCE_MARGIN_DAYS } from '#shared/storage/layout.js';
import { CallErasedError, ConsentConflictError, type ConsentStore } from '#shared/consent/types.js';

/** What a store factory gets: a fixed clock and the retention to use. */
export interface ContractStoreOptions {
  clock: () => Date;
  retentionDays: number;
}

/**
 * The behaviour every {@link ConsentStore} must share, run against the in-memory store (unit)
 * and the DynamoDB adapter (integration), so the test double cannot drift from production.
 */
export function consentStoreContract(name: string, makeStore: (options: ContractStoreOptions) => ConsentStore): void {
  const now = new Date('2025-06-01T09:30:00.000Z');
  const retentionDays = 45;
  const expiresAt = Math.floor(now.getTime() / 1000) + (retentionDays + EVIDENCE_MARGIN_DAYS) * 86_400;
  const california = jurisdictionFor('+14155550100');
  const store = (): ConsentStore => makeStore({ clock: () => now, retentionDays });

  describe(`${name}: ConsentStore contract`, () => {
    it('unknown call → no consent', async () => {
      expect(await store().getConsent(randomUUID())).toBeUndefined();
    });

    it('ensureCall creates the pending record once, then returns what is stored', async () => {
      const s = store();
      const callId = randomUUID();
      const created = await s.ensureCall(callId, { jurisdiction: california, callerHash: 'h1' });
      expect(created).toEqual({
        callId,
        state: 'pending',
        jurisdiction: 'US-CA',
        rule: 'all-party',
        policyVersion: POLICY_VERSION,
        updatedAt: now.toISOString(),
        version: 1,
        callerHash: 'h1',
        expiresAt,
      });
      await s.setConsent(callId, 'granted', { category: 'affirmative:yes' });
      const again = await s.ensureCall(callId, { jurisdiction: jurisdictionFor('+12125550100') });
      expect(again).toMatchObject({ state: 'granted', jurisdiction: 'US-CA', version: 2, callerHash: 'h1' });
    });

    it('granted → withdrawn; granted again is a ConsentConflictError and changes nothing', async () => {
      const s = store();
      const callId = randomUUID();
      await s.ensureCall(callId, { jurisdiction: california });
      expect(await s.setConsent(callId, 'granted', { category: 'affirmative:yes' })).toMatchObject({
        state: 'granted',
        version: 2,
        evidence: 'affirmative:yes',
      });
      const withdrawn = await s.setConsent(callId, 'withdrawn', { category: 'tool:stop_recording' });
      expect(withdrawn).toMatchObject({ state: 'withdrawn', version: 3 });

      await expect(s.setConsent(callId, 'granted', { category: 'affirmative:yes' })).rejects.toBeInstanceOf(ConsentConflictError);
      expect(await s.getConsent(callId)).toEqual(withdrawn);
    });

    it('declined is terminal for recording too, but may still become withdrawn', async () => {
      const s = store();
      const callId = randomUUID();
      await s.setConsent(callId, 'declined', { category: 'negation:no' });
      await expect(s.setConsent(callId, 'granted', { category: 'affirmative:yes' })).rejects.toBeInstanceOf(ConsentConflictError);
      expect((await s.setConsent(callId, 'withdrawn', { category: 'tool:stop_recording' })).state).toBe('withdrawn');
    });

    it('setting the current state again is a no-op (version and evidence kept)', async () => {
      const s = store();
      const callId = randomUUID();
      await s.setConsent(callId, 'granted', { category: 'affirmative:yes' });
      expect(await s.setConsent(callId, 'granted', { category: 'affirmative:ok' })).toMatchObject({
        version: 2,
        evidence: 'affirmative:yes',
      });
    });

    it('setConsent on an unannounced call creates it with the unknown jurisdiction', async () => {
      const s = store();
      const callId = randomUUID();
      const record = await s.setConsent(callId, 'granted', { category: 'affirmative:yes' });
      expect(record).toMatchObject({ callId, state: 'granted', jurisdiction: 'unknown', rule: 'unknown', expiresAt });
      expect(await s.getConsent(callId)).toEqual(record);
    });

    it('events: append-only, chronological, same-millisecond events all kept in write order', async () => {
      const s = store();
      const callId = randomUUID();
      const types = ['call_started', 'disclosure_given', 'consent_granted', 'recording_started', 'recording_paused'] as const;
      for (const type of types) await s.appendEvent(callId, { type, detail: { step: type } });

      const events = await s.listEvents(callId);

      expect(events.map((e) => e.type)).toEqual([...types]);
      expect(events.every((e) => e.at === now.toISOString())).toBe(true);
      expect(events[0]).toEqual({ type: 'call_started', at: now.toISOString(), detail: { step: 'call_started' } });
      expect(await s.listEvents(randomUUID())).toEqual([]);
    });

    it('events: detail values that look like caller data are redacted', async () => {
      const s = store();
      const callId = randomUUID();
      await s.appendEvent(callId, {
        type: 'secure_tool_used',
        detail: { tool: 'verify_identity', ssn: '123-45-6789', ok: true, attempts: 2 },
      });
      const [event] = await s.listEvents(callId);
      expect(event?.detail).toEqual({ tool: 'verify_identity', ssn: '[redacted]', ok: true, attempts: 2 });
    });

    it('ensureCall stores the decided mode; the first registration wins', async () => {
      const s = store();
      const callId = randomUUID();
      const texas = jurisdictionFor('+12145550100');
      expect(await s.ensureCall(callId, { jurisdiction: texas, callerHash: 'h1', mode: 'disclose-and-record' })).toMatchObject({
        jurisdiction: 'US-TX',
        rule: 'one-party',
        callerHash: 'h1',
        mode: 'disclose-and-record',
      });
      const again = await s.ensureCall(callId, { jurisdiction: california, callerHash: 'h2', mode: 'consent-first' });
      expect(again).toMatchObject({ jurisdiction: 'US-TX', callerHash: 'h1', mode: 'disclose-and-record' });
    });

    it('an erased call stays erased: the tombstone is the last event, kept once; every write and getConsent refuse', async () => {
      const s = store();
      const callId = randomUUID();
      await s.ensureCall(callId, { jurisdiction: california, callerHash: 'h-erased' });
      await s.appendEvent(callId, { type: 'disclosure_given' });
      await s.markErased(callId, { reason: 'data-subject-request' });
      await s.markErased(callId, { reason: 'second-run' });
      await s.appendEvent(callId, { type: 'erased', detail: { reason: 'third-run' } });

      const refused = [
        () => s.ensureCall(callId, { jurisdiction: california }),
        () => s.setConsent(callId, 'granted', { category: 'affirmative:yes' }),
        () => s.setConsent(callId, 'declined', { category: 'declined:not-affirmative' }),
        () => s.appendEvent(callId, { type: 'recording_blocked', detail: { reason: 'x' } }),
        () => s.getConsent(callId),
      ];
      for (const attempt of refused) await expect(attempt()).rejects.toBeInstanceOf(CallErasedError);

      const events = await s.listEvents(callId);
      expect(events.map((e) => e.type)).toEqual(['disclosure_given', 'erased']);
      expect(events[1]?.detail).toEqual({ reason: 'data-subject-request' });
      // An erasure of one call changes nothing for another.
      const other = randomUUID();
      expect((await s.setConsent(other, 'granted', { category: 'affirmative:yes' })).state).toBe('granted');
    });

    it('recording control: one conditional single-item write per version; concurrent claims, one wins; erased refuses', async () => {
      const s = store();
      const callId = randomUUID();
      expect(await s.getRecordingControl(callId, 'main')).toBeUndefined();
      const base = {
        callId,
        controlId: 'main',
        ended: [],
        collecting: false,
        updatedAt: now.toISOString(),
        expiresAt,
      };
      const starting = { ...base, status: 'starting' as const, segment: 1, version: 1 };
      expect(await s.putRecordingControl(starting, undefined)).toBe(true);
      // Created already: a second "create" loses, as does a write against a stale version.
      expect(await s.putRecordingControl({ ...starting, status: 'idle' }, undefined)).toBe(false);
      expect(await s.getRecordingControl(callId, 'main')).toEqual(starting);
      const claims = await Promise.all([
        s.putRecordingControl({ ...base, status: 'recording', recordingId: 'a', segment: 1, version: 2 }, 1),
        s.putRecordingControl({ ...base, status: 'idle', segment: 1, version: 2 }, 1),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await s.getRecordingControl(callId, 'main'))?.version).toBe(2);
      // Another control id is another item.
      expect(await s.getRecordingControl(callId, 'other')).toBeUndefined();
      await s.markErased(callId, { reason: 'data-subject-request' });
      await expect(s.getRecordingControl(callId, 'main')).rejects.toBeInstanceOf(CallErasedError);
      await expect(s.putRecordingControl({ ...starting, version: 3 }, 2)).rejects.toBeInstanceOf(CallErasedError);
    });

    it('callsForCaller finds the calls announced with that caller hash', async () => {
      const s = store();
      const hash = `hash-${randomUUID()}`;
      const calls = [randomUUID(), randomUUID()];
      for (const id of calls) await s.ensureCall(id, { jurisdiction: california, callerHash: hash });
      await s.ensureCall(randomUUID(), { jurisdiction: california, callerHash: `other-${hash}` });
      expect(await s.callsForCaller(hash)).toEqual([...calls].sort());
    });
  });
}
