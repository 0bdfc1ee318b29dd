import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { jurisdictionFor } from '#shared/consent/jurisdictions.js';
import { callerHash } from '#shared/consent/caller-hash.js';
import { EVIDENCE_MARGIN_DAYS } from '#shared/storage/layout.js';
import { ConsentConflictError, ConsentStoreUnavailableError } from '#shared/consent/types.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provisionStorage, startEmulators } from '#infra/local/emulators.js';
import { startTestStorage, TEST_SECRETS, type TestStorage } from '#test/support/storage.js';
import { consentStoreContract } from '#test/unit/consent-store-contract.js';

const RETENTION_DAYS = 30;
const FIXED_NOW = new Date('2025-03-01T12:00:00.000Z');
const expectedExpiry = Math.floor(FIXED_NOW.getTime() / 1000) + (RETENTION_DAYS + EVIDENCE_MARGIN_DAYS) * 86_400;

const newCallId = (): string => randomUUID();
/**
 * A caller number no other test in this file uses, unique by construction: the fixed numbers
 * here are all 555-01xx, these count up from 555-2000 (the table is fresh per run).
 */
let callerSeq = 0;
const freshCallerNumber = (): string => `+1312555${2000 + callerSeq++}`;
const california = jurisdictionFor('+14155550100');

function documentClient(endpoint?: string): DynamoDBDocumentClient {
  const raw = endpoint
    ? new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 })
    : new DynamoDBClient({});
  return DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
}

describe('DynamoConsentStore against dynalite', () => {
  let storage: TestStorage;
  let store: DynamoConsentStore;
  let pinned: DynamoConsentStore;
  let raw: DynamoDBDocumentClient;

  beforeAll(async () => {
    storage = await startTestStorage({ RETENTION_DAYS: String(RETENTION_DAYS) });
    // Default constructor: client, table and retention all come from config/env.
    store = new DynamoConsentStore();
    raw = documentClient();
    pinned = new DynamoConsentStore(raw, storage.table, RETENTION_DAYS, { clock: () => FIXED_NOW });
  });
  afterAll(async () => storage.stop());

  describe('ensureCall', () => {
    it('creates a pending record with jurisdiction, caller hash and expiry', async () => {
      const callId = newCallId();
      const hash = callerHash('+14155550100', TEST_SECRETS.CALLER_HASH_SECRET);

      const record = await pinned.ensureCall(callId, { jurisdiction: california, callerHash: hash });

      expect(record).toMatchObject({
        callId,
        state: 'pending',
        jurisdiction: 'US-CA',
        rule: 'all-party',
        version: 1,
        callerHash: hash,
      });
      expect(record.expiresAt).toBe(expectedExpiry);
      expect(await store.getConsent(callId)).toEqual(record);
    });

    it('is idempotent: a second call (even with other data) returns the stored record unchanged', async () => {
      const callId = newCallId();
      const first = await store.ensureCall(callId, { jurisdiction: california });
      await store.setConsent(callId, 'granted', { category: 'affirmative:yes' });

      const again = await store.ensureCall(callId, { jurisdiction: jurisdictionFor('+12125550100') });

      expect(again.state).toBe('granted');
      expect(again.jurisdiction).toBe(first.jurisdiction);
      expect(again.version).toBe(2);
    });

    it('concurrent ensureCall calls all return the same single record', async () => {
      const callId = newCallId();
      const records = await Promise.all(Array.from({ length: 6 }, () => store.ensureCall(callId, { jurisdiction: california })));
      expect(new Set(records.map((r) => JSON.stringify(r))).size).toBe(1);
      expect(records[0]?.version).toBe(1);
    });
  });

  describe('setConsent', () => {
    it('moves pending → granted → withdrawn, bumping the version and keeping the evidence category', async () => {
      const callId = newCallId();
      await store.ensureCall(callId, { jurisdiction: california });

      const granted = await store.setConsent(callId, 'granted', { category: 'affirmative:yes' });
      const withdrawn = await store.setConsent(callId, 'withdrawn', { category: 'tool:stop_recording' });

      expect(granted).toMatchObject({ state: 'granted', version: 2, evidence: 'affirmative:yes' });
      expect(withdrawn).toMatchObject({ state: 'withdrawn', version: 3, evidence: 'tool:stop_recording' });
      expect((await store.getConsent(callId))?.state).toBe('withdrawn');
    });

    it.each(['withdrawn', 'declined'] as const)(
      'refuses granted after %s (terminal) and leaves the record alone',
      async (terminal) => {
        const callId = newCallId();
        await store.ensureCall(callId, { jurisdiction: california });
        const before = await store.setConsent(callId, terminal, { category: 'negation:no' });

        await expect(store.setConsent(callId, 'granted', { category: 'affirmative:yes' })).rejects.toBeInstanceOf(
          ConsentConflictError,
        );

        expect(await store.getConsent(callId)).toEqual(before);
      },
    );

    it('repeating the current state writes nothing', async () => {
      const callId = newCallId();
      await store.setConsent(callId, 'granted', { category: 'affirmative:yes' });
      const again = await store.setConsent(callId, 'granted', { category: 'affirmative:sure' });
      expect(again).toMatchObject({ version: 2, evidence: 'affirmative:yes' });
    });

    it('creates the record with an unknown jurisdiction when the call was never announced', async () => {
      const callId = newCallId();
      const record = await store.setConsent(callId, 'declined', { category: 'unclear' });
      expect(record).toMatchObject({ state: 'declined', jurisdiction: 'unknown', rule: 'unknown' });
      expect(await store.getConsent(callId)).toEqual(record);
    });

    it('concurrent grant/withdraw races always end withdrawn, with a version that counts every change', async () => {
      for (let round = 0; round < 5; round += 1) {
        // Prepare
        const callId = newCallId();
        await store.ensureCall(callId, { jurisdiction: california });
        // Act
        const outcomes = await Promise.allSettled([
          store.setConsent(callId, 'granted', { category: 'affirmative:yes' }),
          store.setConsent(callId, 'withdrawn', { category: 'tool:stop_recording' }),
          store.setConsent(callId, 'granted', { category: 'affirmative:okay' }),
        ]);
        // Assess
        const final = await store.getConsent(callId);
        expect(final?.state).toBe('withdrawn');
        for (const o of outcomes) {
          if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConsentConflictError);
        }
        const grantedWrites = outcomes.filter((o) => o.status === 'fulfilled' && o.value.state === 'granted');
        // pending(1) → granted(2, if a grant won before the withdrawal) → withdrawn
        expect(final?.version).toBe(grantedWrites.length > 0 ? 3 : 2);
      }
    });

    it('many concurrent identical grants leave one change', async () => {
      const callId = newCallId();
      await store.ensureCall(callId, { jurisdiction: california });
      const records = await Promise.all(
        Array.from({ length: 6 }, () => store.setConsent(callId, 'granted', { category: 'affirmative:yes' })),
      );
      expect(records.every((r) => r.state === 'granted' && r.version === 2)).toBe(true);
      expect((await store.getConsent(callId))?.version).toBe(2);
    });
  });

  describe('audit events', () => {
    it('are listed in write order with their detail', async () => {
      const callId = newCallId();
      await store.appendEvent(callId, { type: 'call_started' });
      await store.appendEvent(callId, { type: 'disclosure_given' });
      await store.appendEvent(callId, { type: 'consent_granted', detail: { category: 'affirmative:yes' } });
      await store.appendEvent(callId, { type: 'recording_started' });

      const events = await store.listEvents(callId);

      expect(events.map((e) => e.type)).toEqual(['call_started', 'disclosure_given', 'consent_granted', 'recording_started']);
      expect(events[2]?.detail).toEqual({ category: 'affirmative:yes' });
      const times = events.map((e) => e.at);
      expect([...times].sort()).toEqual(times);
    });

    it('never overwrite, even with identical timestamps (sequential and concurrent)', async () => {
      const callId = newCallId();
      for (const type of ['call_started', 'disclosure_given', 'consent_granted'] as const) {
        await pinned.appendEvent(callId, { type });
      }
      await Promise.all(
        Array.from({ length: 5 }, (_, i) => pinned.appendEvent(callId, { type: 'secure_tool_used', detail: { n: i } })),
      );

      const events = await pinned.listEvents(callId);

      expect(events).toHaveLength(8);
      expect(events.slice(0, 3).map((e) => e.type)).toEqual(['call_started', 'disclosure_given', 'consent_granted']);
      expect(new Set(events.slice(3).map((e) => e.detail?.n))).toEqual(new Set([0, 1, 2, 3, 4]));
      expect(events.every((e) => e.at === FIXED_NOW.toISOString())).toBe(true);
    });

    it('cannot be overwritten by a second write to the same key', async () => {
      const callId = newCallId();
      await pinned.appendEvent(callId, { type: 'consent_declined' });
      const [item] =
        (
          await raw.send(
            new QueryCommand({
              TableName: storage.table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': `CALL#${callId}` },
            }),
          )
        ).Items ?? [];

      // The store's own write is conditional; prove a conditional put on that key is refused.
      await expect(
        raw.send(
          new PutCommand({
            TableName: storage.table,
            Item: { ...item, type: 'consent_granted' },
            ConditionExpression: 'attribute_not_exists(sk)',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
      expect((await pinned.listEvents(callId)).map((e) => e.type)).toEqual(['consent_declined']);
    });

    it('scrub detail values that look like numbers a caller spoke', async () => {
      const callId = newCallId();
      await store.appendEvent(callId, { type: 'payment_attempted', detail: { result: 'success', card: '4111 1111 1111 1111' } });
      const [event] = await store.listEvents(callId);
      expect(event?.detail).toEqual({ result: 'success', card: '[redacted]' });
    });

    it('carry expiresAt = now + retention + margin, like the consent item', async () => {
      const callId = newCallId();
      await pinned.appendEvent(callId, { type: 'call_started' });
      await pinned.ensureCall(callId, { jurisdiction: california });
      const items =
        (
          await raw.send(
            new QueryCommand({
              TableName: storage.table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': `CALL#${callId}` },
            }),
          )
        ).Items ?? [];
      // The consent item, the event, and the call's write gate (shared/storage/write-gate.ts).
      expect(items.map((i) => i.sk)).toEqual(['CONSENT', expect.stringMatching(/^EVENT#/), 'GUARD']);
      expect(items.map((i) => i.expiresAt)).toEqual([expectedExpiry, expectedExpiry, expectedExpiry]);
    });
  });

  it('stores nothing but the keyed hash of the caller', async () => {
    const callId = newCallId();
    const hash = callerHash('+1 (415) 555-0199', TEST_SECRETS.CALLER_HASH_SECRET);
    await store.ensureCall(callId, { jurisdiction: california, callerHash: hash });
    const got = await raw.send(new GetCommand({ TableName: storage.table, Key: { pk: `CALL#${callId}`, sk: 'CONSENT' } }));
    expect(JSON.stringify(got.Item)).not.toMatch(/4155550199/);
    expect(got.Item?.callerHash).toBe(hash);
  });

  it("finds a caller's calls through the byCaller index", async () => {
    const secret = TEST_SECRETS.CALLER_HASH_SECRET;
    const alice = callerHash(freshCallerNumber(), secret);
    const bob = callerHash(freshCallerNumber(), secret);
    const aliceCalls = [newCallId(), newCallId()];
    for (const id of aliceCalls) await store.ensureCall(id, { jurisdiction: california, callerHash: alice });
    await store.ensureCall(newCallId(), { jurisdiction: california, callerHash: bob });
    await store.appendEvent(aliceCalls[0] ?? '', { type: 'call_started' });

    expect(await store.callsForCaller(alice)).toEqual([...aliceCalls].sort());
    expect(await store.callsForCaller(callerHash('+19995550100', secret))).toEqual([]);
  });
});

describe('DynamoConsentStore, same contract as the in-memory double', () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await startTestStorage();
  });
  afterAll(async () => storage.stop());

  consentStoreContract(
    'DynamoConsentStore',
    ({ clock, retentionDays }) => new DynamoConsentStore(documentClient(), storage.table, retentionDays, { clock }),
  );
});

describe('DynamoConsentStore when storage is down', () => {
  it('reports ConsentStoreUnavailableError from every operation', async () => {
    // Prepare: a private emulator, so stopping it does not disturb other tests.
    const emulators = await startEmulators();
    const table = 'consent-down';
    await provisionStorage(emulators, { table, bucket: 'consent-down' });
    const store = new DynamoConsentStore(documentClient(emulators.dynamodbEndpoint), table, 90, { timeoutMs: 2000 });
    const callId = newCallId();
    await store.ensureCall(callId, { jurisdiction: california });
    await emulators.stop();

    // Act + Assess
    const calls: Array<() => Promise<unknown>> = [
      () => store.getConsent(callId),
      () => store.ensureCall(callId, { jurisdiction: california }),
      () => store.setConsent(callId, 'granted', { category: 'affirmative:yes' }),
      () => store.appendEvent(callId, { type: 'call_started' }),
      () => store.listEvents(callId),
      () => store.callsForCaller('abc'),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(ConsentStoreUnavailableError);
  });
});
