import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { swaigCore } from '#shared/agent/swaig-core.js';
import { callerHash } from '#shared/consent/caller-hash.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { jurisdictionFor } from '#shared/consent/jurisdictions.js';
import { CallErasedError } from '#shared/consent/types.js';
import { eraseCall, eraseCaller } from '#shared/privacy/erase.js';
import { exportCaller } from '#shared/privacy/export.js';
import { recordingStatusCore } from '#shared/recordings/recording-status-core.js';
import { mintToolToken } from '#shared/security/tool-token.js';
import type { SwaigResponse } from '#shared/swaig/function-result.js';
import type { CallDataStore } from '#shared/storage/call-data.js';
import { SK } from '#shared/storage/layout.js';
import { testPrivacyDeps } from '#test/support/privacy-seed.js';
import { serveSwml } from '#test/support/served-swml.js';
import { apiEvent, recordingStatusBody, recordingVerbs, swaigRequestBody } from '#test/support/signalwire.js';
import { startTestStorage, TEST_SECRETS, type TestStorage } from '#test/support/storage.js';
import { storedView } from '#test/support/stored-view.js';

/**
 * Issue #11 points 5 and 6 on the emulators, through the real cores (swml, swaig,
 * recording-status, privacy) and the DynamoDB consent store; every assertion on what is stored
 * reads the table independently (raw SDK queries, test/support/stored-view.ts).
 */

const TEXAS = '+12145550100'; // one-party
const NEW_YORK = '+12125550100'; // one-party
const CALIFORNIA = '+14155550100'; // all-party
const WIDENING_GLOBAL_DATA = { recording_mode: 'disclose-and-record', recording_consent: true, jurisdiction: 'US-NY' };
const SECURE = new Set(['collect_sensitive_info', 'ssn_received']);
const START_TOOLS: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['get_recording_consent', { response: 'yes' }],
  ['start_recording', {}],
  ['resume_recording', {}],
  ['normal_mode', {}],
  ['collect_sensitive_info', { info_type: 'date_of_birth', value: 'on file' }],
  ['ssn_received', { ssn: '123-45-6789' }],
];
const eraseRequest = { reason: 'data-subject-request', requestedBy: 'privacy-team' };

let storage: TestStorage;
let view: ReturnType<typeof storedView>;

beforeAll(async () => {
  storage = await startTestStorage({ RECORDING_MODE: 'disclose-and-record', LOG_LEVEL: 'WARN' });
  view = storedView(storage);
});
afterAll(async () => storage.stop());

async function post(
  fn: string,
  args: Record<string, unknown>,
  callId: string,
  query: Record<string, string>,
  options: { caller?: string; globalData?: Record<string, unknown> } = {},
): Promise<SwaigResponse> {
  const event = apiEvent({
    path: '/swaig',
    body: swaigRequestBody(fn, args, callId, options.caller ?? NEW_YORK, options.globalData ?? WIDENING_GLOBAL_DATA),
    query: { ...query, ...(SECURE.has(fn) ? { __token: mintToolToken(TEST_SECRETS.TOKEN_SECRET, callId, fn, 600) } : {}) },
  });
  event.jsonBody = JSON.parse(event.body ?? '{}');
  const result = await swaigCore(event);
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body) as SwaigResponse;
}

const consentItem = async (callId: string) => (await view.items(callId)).find((i) => i.sk === SK.consent);
const eventTypes = async (callId: string) =>
  (await view.items(callId)).filter((i) => String(i.sk).startsWith(SK.eventPrefix)).map((i) => i.type);

describe('facts the SWML decided stay decided, on the emulators (issue #11 point 5)', () => {
  it('the decision is stored with the call on first use: mode, jurisdiction and the caller hash of the SWML request', async () => {
    const callId = randomUUID();
    const served = await serveSwml(callId, TEXAS);
    // Hostile request fields (another one-party caller) change nothing stored.
    const response = await post('resume_recording', {}, callId, served.swaigQuery, { caller: NEW_YORK });
    // The document started the recording itself: no second record_call (issue #11 point 2).
    expect(recordingVerbs(response)).toEqual([]);
    expect(await consentItem(callId)).toMatchObject({
      state: 'granted',
      evidence: 'implied:one-party-disclosure',
      mode: 'disclose-and-record',
      jurisdiction: 'US-TX',
      rule: 'one-party',
      callerHash: callerHash(TEXAS, TEST_SECRETS.CALLER_HASH_SECRET),
    });
    const exported = await exportCaller({ number: TEXAS }, testPrivacyDeps());
    expect(exported.calls.map((c) => c.callId)).toContain(callId);
  });

  it.each(START_TOOLS.slice(1))(
    "%s on a California consent-first call with a New York caller and disclose-and-record global data (the issue's attack): no record_call, no consent stored",
    async (fn, args) => {
      const callId = randomUUID();
      const served = await serveSwml(callId, CALIFORNIA);
      expect(recordingVerbs(await post(fn, args, callId, served.queryFor(fn)))).toEqual([]);
      expect(await consentItem(callId)).toBeUndefined();
      expect(await eventTypes(callId)).toEqual([...(SECURE.has(fn) ? ['secure_tool_used'] : []), 'recording_blocked']);
    },
  );

  it('no decision (SWML never served for the call id): undecided, nothing granted', async () => {
    const callId = randomUUID();
    expect(recordingVerbs(await post('resume_recording', {}, callId, {}, { caller: TEXAS }))).toEqual([]);
    expect(await consentItem(callId)).toBeUndefined();
  });

  it('the webhook path: a recording the document started stores implied consent carrying the caller hash, so export and erasure by caller find it', async () => {
    const callId = randomUUID();
    const served = await serveSwml(callId, TEXAS);
    const statusUrl = new URL(served.statusUrl ?? '');
    const event = apiEvent({
      path: '/recording-status',
      body: recordingStatusBody(callId),
      query: Object.fromEntries(statusUrl.searchParams),
    });
    event.jsonBody = JSON.parse(event.body ?? '{}');
    const reply = await recordingStatusCore(event);
    expect(JSON.parse(reply.body).status).toBe('stored');
    expect(await consentItem(callId)).toMatchObject({
      state: 'granted',
      mode: 'disclose-and-record',
      callerHash: callerHash(TEXAS, TEST_SECRETS.CALLER_HASH_SECRET),
    });
    const exported = await exportCaller({ number: TEXAS }, testPrivacyDeps());
    const call = exported.calls.find((c) => c.callId === callId);
    expect(call?.recordings).toHaveLength(1);
    const erased = await eraseCaller({ number: TEXAS }, eraseRequest, testPrivacyDeps());
    expect(erased.calls.find((c) => c.callId === callId)?.status).toBe('erased');
    expect(await view.allKeys(callId)).toEqual([]);
  });
});

describe('an erased call stays erased, on the emulators (issue #11 point 6)', () => {
  it.each(START_TOOLS)(
    '%s after erasure through the privacy core: no record_call, recording is off, and the table holds only the tombstone',
    async (fn, args) => {
      const callId = randomUUID();
      const served = await serveSwml(callId, CALIFORNIA);
      expect(recordingVerbs(await post('get_recording_consent', { response: 'yes' }, callId, served.swaigQuery))).toEqual([
        'record_call',
      ]);
      expect((await eraseCall(callId, eraseRequest, testPrivacyDeps())).status).toBe('erased');
      const afterErasure = await view.items(callId);
      expect(afterErasure.map((i) => [i.sk, i.type ?? i.erasure])).toEqual([
        [SK.erasedTombstone, 'erased'],
        [SK.guard, 'erased'],
      ]);

      const response = await post(fn, args, callId, served.queryFor(fn), { caller: CALIFORNIA });
      expect(recordingVerbs(response)).toEqual([]);
      expect(response.response).toMatch(/Recording is OFF/);
      expect(response.response).toMatch(/erased/);
      expect(await view.items(callId)).toEqual(afterErasure);
    },
  );

  it('a call erased before the write gate existed (a tombstone item alone) never records: getConsent refuses', async () => {
    const callId = randomUUID();
    const raw = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    // The tombstone is written by "erasure" just before the store's consent put reaches the table.
    const racing = {
      async send(command: { input: { Item?: Record<string, unknown> } }, options?: unknown) {
        if (command instanceof PutCommand && command.input.Item?.sk === SK.consent) {
          await raw.send(
            new PutCommand({
              TableName: storage.table,
              Item: { pk: `CALL#${callId}`, sk: SK.erasedTombstone, type: 'erased', at: new Date().toISOString() },
            }),
          );
        }
        return raw.send(command as never, options as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new DynamoConsentStore(racing, storage.table, 90);
    // The gate knows nothing of that tombstone, so the write lands; the read that decides recording still refuses.
    await store.ensureCall(callId, { jurisdiction: jurisdictionFor(CALIFORNIA), mode: 'consent-first' });
    await expect(new DynamoConsentStore().getConsent(callId)).rejects.toBeInstanceOf(CallErasedError);
  });

  it('writes that land between erasure\u2019s first look and its lock are in its listing: only the tombstone and the closed gate remain', async () => {
    const callId = randomUUID();
    const served = await serveSwml(callId, CALIFORNIA);
    await post('get_recording_consent', { response: 'yes' }, callId, served.swaigQuery);
    const deps = testPrivacyDeps();
    const writer = new DynamoConsentStore();
    let firstLook = true;
    const data: CallDataStore = Object.create(deps.data);
    data.listItems = async (id: string) => {
      const items = await deps.data.listItems(id);
      if (firstLook) {
        firstLook = false;
        // A live call writes after erasure listed the call and before the tombstone exists.
        await writer.setConsent(callId, 'withdrawn', { category: 'withdrawal:caller-request' });
        await writer.appendEvent(callId, { type: 'consent_withdrawn' });
      }
      return items;
    };
    expect((await eraseCall(callId, eraseRequest, { ...deps, data })).status).toBe('erased');
    expect((await view.items(callId)).map((i) => i.sk)).toEqual([SK.erasedTombstone, SK.guard]);
  });

  it('a rerun of the erasure reports already_erased and keeps the one tombstone', async () => {
    const callId = randomUUID();
    const served = await serveSwml(callId, CALIFORNIA);
    await post('get_recording_consent', { response: 'yes' }, callId, served.swaigQuery);
    await eraseCall(callId, eraseRequest, testPrivacyDeps());
    const tombstone = await view.items(callId);
    expect((await eraseCall(callId, { ...eraseRequest, reason: 'again' }, testPrivacyDeps())).status).toBe('already_erased');
    expect(await view.items(callId)).toEqual(tombstone);
  });
});
