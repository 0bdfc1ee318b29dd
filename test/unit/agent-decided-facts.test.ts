import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { swaigCore, useConsentStoreForTests } from '#shared/agent/swaig-core.js';
import { renderAgentSwml } from '#shared/agent/swml-document.js';
import { agentUrls } from '#shared/agent/settings.js';
import { parseConfig } from '#shared/config.js';
import { decidedUrl, decisionFromQuery } from '#shared/consent/call-decision.js';
import { callerHash } from '#shared/consent/caller-hash.js';
import { JURISDICTIONS, jurisdictionFor } from '#shared/consent/jurisdictions.js';
import { CallErasedError } from '#shared/consent/types.js';
import { resetInstance } from '#shared/instance.js';
import { mintToolToken } from '#shared/security/tool-token.js';
import type { SwaigResponse } from '#shared/swaig/function-result.js';
import { FlakyConsentStore } from '#test/support/flaky-consent-store.js';
import { serveSwml } from '#test/support/served-swml.js';
import { apiEvent, recordingVerbs, swaigRequestBody } from '#test/support/signalwire.js';
import { TEST_SECRETS } from '#test/support/storage.js';

/**
 * Issue #11 points 5 and 6, against the SWAIG core with the in-memory store: request data never
 * widens what the SWML document decided, and an erased call stays erased. The configuration is
 * disclose-and-record throughout, the only one under which a widening could record anything.
 * (test/integration/decided-facts-erasure.test.ts repeats the key cases on the emulators.)
 */

const TEXAS = '+12145550100'; // one-party
const NEW_YORK = '+12125550100'; // one-party
const CALIFORNIA = '+14155550100'; // all-party
const SIP_CALLER = 'sip:alice@example.com'; // no number: unknown jurisdiction
const FRANCE = '+33142685300'; // all-party
/** A second secret, so a hash made with it is not the real caller hash of that number. */
const TEXAS_SECRET = 'some-other-caller-hash-secret-42';

/** What a hostile request may put in global data: every field the SWML document itself sets, at its widest. */
const WIDENING_GLOBAL_DATA = {
  recording_mode: 'disclose-and-record',
  recording_consent: true,
  jurisdiction: 'US-NY',
  secure_mode: false,
};

/** Every tool that emits record_call, with valid arguments; the consent "yes" is listed apart. */
const START_TOOLS: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['start_recording', {}],
  ['resume_recording', {}],
  ['normal_mode', {}],
  ['collect_sensitive_info', { info_type: 'date_of_birth', value: 'on file' }],
  ['ssn_received', { ssn: '123-45-6789' }],
];
const YES = ['get_recording_consent', { response: 'yes' }] as const;
const OTHER_TOOLS: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['get_recording_consent', { response: 'no' }],
  ['stop_recording', {}],
  ['pause_recording', {}],
  ['secure_mode', {}],
  ['collect_ssn', {}],
  ['recording_info', {}],
];
const SECURE = new Set(['collect_sensitive_info', 'ssn_received']);

let store: FlakyConsentStore;

beforeAll(() => {
  Object.assign(process.env, TEST_SECRETS, {
    SWML_PROXY_URL_BASE: 'https://agent.example.com',
    RECORDING_MODE: 'disclose-and-record',
  });
  resetInstance();
});
afterAll(() => {
  process.env.RECORDING_MODE = 'consent-first';
  useConsentStoreForTests(undefined);
  resetInstance();
});
beforeEach(() => {
  store = new FlakyConsentStore();
  useConsentStoreForTests(store);
});

/**
 * One SWAIG request. `query`: the URL's query (a served document's, a forged one, or none);
 * secure tools get their valid per-call token on top, so only the decision is under test.
 */
async function post(
  fn: string,
  args: Record<string, unknown>,
  callId: string,
  options: { query?: Record<string, string>; caller?: string; globalData?: Record<string, unknown> } = {},
): Promise<SwaigResponse> {
  const query = {
    ...options.query,
    ...(SECURE.has(fn) ? { __token: mintToolToken(TEST_SECRETS.TOKEN_SECRET, callId, fn, 600) } : {}),
  };
  const event = apiEvent({
    path: '/swaig',
    body: swaigRequestBody(fn, args, callId, options.caller ?? NEW_YORK, options.globalData ?? WIDENING_GLOBAL_DATA),
    query,
  });
  event.jsonBody = JSON.parse(event.body ?? '{}');
  const result = await swaigCore(event);
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body) as SwaigResponse;
}

/** Nothing granted for the call: no consent record saying granted, no consent_granted event. */
async function expectNothingGranted(callId: string): Promise<void> {
  expect((await store.inner.getConsent(callId))?.state).not.toBe('granted');
  expect((await store.inner.listEvents(callId)).map((e) => e.type)).not.toContain('consent_granted');
}

/** The events a blocked start leaves, and nothing else: the audit of the block (and of a secure tool's use). */
async function expectOnlyBlockAudited(callId: string, fn: string): Promise<void> {
  const expected = [...(SECURE.has(fn) ? ['secure_tool_used'] : []), 'recording_blocked'];
  expect((await store.inner.listEvents(callId)).map((e) => e.type)).toEqual(expected);
  expect(await store.inner.getConsent(callId)).toBeUndefined();
}

describe('facts the SWML decided stay decided (issue #11 point 5)', () => {
  it.each(START_TOOLS)(
    '%s on a California consent-first call, posted with a New York caller and disclose-and-record global data: no record_call, nothing stored but the block',
    async (fn, args) => {
      const callId = randomUUID();
      const served = await serveSwml(callId, CALIFORNIA);
      const response = await post(fn, args, callId, { query: served.queryFor(fn) });
      expect(recordingVerbs(response)).not.toContain('record_call');
      expect(response.response).toMatch(/Recording is OFF/);
      await expectOnlyBlockAudited(callId, fn);
    },
  );

  it.each(START_TOOLS)(
    '%s when the SWML was never served for the call id (no decision): a one-party caller and disclose-and-record global data imply nothing',
    async (fn, args) => {
      const callId = randomUUID();
      const response = await post(fn, args, callId, { caller: TEXAS });
      expect(recordingVerbs(response)).not.toContain('record_call');
      await expectOnlyBlockAudited(callId, fn);
    },
  );

  it('an explicit "yes" without a decision still counts, but the call is stored undecided: consent-first, unknown jurisdiction, no caller', async () => {
    const callId = randomUUID();
    const response = await post(...YES, callId, { caller: TEXAS });
    expect(recordingVerbs(response)).toEqual(['record_call']);
    const record = await store.inner.getConsent(callId);
    expect(record).toMatchObject({ state: 'granted', jurisdiction: 'unknown', rule: 'unknown', mode: 'consent-first' });
    expect(record?.callerHash).toBeUndefined();
    const disclosed = (await store.inner.listEvents(callId)).find((e) => e.type === 'disclosure_given');
    expect(disclosed?.detail).toEqual({ mode: 'consent-first', jurisdiction: 'unknown' });
  });

  it('an explicit "yes" on a served California call stores California and its caller hash, whatever the request says', async () => {
    const callId = randomUUID();
    const served = await serveSwml(callId, CALIFORNIA);
    expect(recordingVerbs(await post(...YES, callId, { query: served.swaigQuery }))).toEqual(['record_call']);
    expect(await store.inner.getConsent(callId)).toMatchObject({
      jurisdiction: 'US-CA',
      mode: 'consent-first',
      callerHash: callerHash(CALIFORNIA, TEST_SECRETS.CALLER_HASH_SECRET),
    });
  });

  it("a recording a tool starts carries the call's signed decision in its status_url (its callbacks authenticate without basic auth)", async () => {
    const callId = randomUUID();
    const served = await serveSwml(callId, CALIFORNIA);
    const response = await post(...YES, callId, { query: served.swaigQuery });
    const statusUrl = JSON.stringify(response.action ?? []).match(/"status_url":"([^"]+)"/)?.[1];
    expect(statusUrl).toBeDefined();
    const query = Object.fromEntries(new URL(statusUrl ?? '').searchParams);
    expect(decisionFromQuery(query, callId, TEST_SECRETS.TOKEN_SECRET)).toMatchObject({ mode: 'consent-first' });
    expect(decisionFromQuery(query, randomUUID(), TEST_SECRETS.TOKEN_SECRET)).toBeUndefined();
  });

  it('without a signed decision on the request, a tool-started recording gets the plain status_url', async () => {
    const callId = randomUUID();
    const response = await post(...YES, callId);
    const statusUrl = JSON.stringify(response.action ?? []).match(/"status_url":"([^"]+)"/)?.[1];
    expect(statusUrl === undefined || !statusUrl.includes('decided=')).toBe(true);
  });

  it("another call's decision opens nothing: a Texas disclose-and-record decision replayed on another call id", async () => {
    const texasCall = randomUUID();
    const texas = await serveSwml(texasCall, TEXAS);
    const otherCall = randomUUID();
    const response = await post('resume_recording', {}, otherCall, { query: texas.swaigQuery, caller: TEXAS });
    expect(recordingVerbs(response)).toEqual([]);
    await expectOnlyBlockAudited(otherCall, 'resume_recording');
  });

  it('a tampered decision verifies as nothing: California facts rewritten to Texas, or Texas facts with a California basis', async () => {
    const callId = randomUUID();
    const california = await serveSwml(callId, CALIFORNIA);
    const texasFacts = `disclose-and-record:US-TX:${callerHash(TEXAS, TEXAS_SECRET)}`;
    const rewritten = { ...california.swaigQuery, decided: texasFacts };
    expect(recordingVerbs(await post('resume_recording', {}, callId, { query: rewritten }))).toEqual([]);
    const texasElsewhere = await serveSwml(randomUUID(), TEXAS);
    const mixed = { decided: texasElsewhere.swaigQuery.decided ?? '', basis: california.swaigQuery.basis ?? '' };
    expect(recordingVerbs(await post('resume_recording', {}, callId, { query: mixed }))).toEqual([]);
    await expectNothingGranted(callId);
  });

  it('the stored decision wins over a later one, even a validly signed one for the same call', async () => {
    const callId = randomUUID();
    await store.inner.ensureCall(callId, { jurisdiction: jurisdictionFor(CALIFORNIA), mode: 'consent-first' });
    const texas = await serveSwml(callId, TEXAS); // e.g. the document fetched again with another caller
    expect(recordingVerbs(await post('resume_recording', {}, callId, { query: texas.swaigQuery, caller: TEXAS }))).toEqual([]);
    expect(await store.inner.getConsent(callId)).toMatchObject({
      state: 'pending',
      jurisdiction: 'US-CA',
      mode: 'consent-first',
    });
  });

  it('storage down: no record_call and nothing stored, even on a valid Texas disclose-and-record decision', async () => {
    const callId = randomUUID();
    const texas = await serveSwml(callId, TEXAS);
    store.down = true;
    for (const [fn, args] of [...START_TOOLS, YES]) {
      expect(recordingVerbs(await post(fn, args, callId, { query: texas.queryFor(fn), caller: TEXAS }))).not.toContain(
        'record_call',
      );
    }
    store.down = false;
    expect(await store.inner.getConsent(callId)).toBeUndefined();
    expect(await store.inner.listEvents(callId)).toEqual([]);
  });

  it("implied consent carries the decision's caller hash (found by caller), not the request's", async () => {
    const callId = randomUUID();
    const texas = await serveSwml(callId, TEXAS);
    // The document started the recording itself: pause it first (one recording at a time), then resume.
    expect(recordingVerbs(await post('pause_recording', {}, callId, { query: texas.swaigQuery, caller: NEW_YORK }))).toEqual([
      'stop_record_call',
    ]);
    expect(recordingVerbs(await post('resume_recording', {}, callId, { query: texas.swaigQuery, caller: NEW_YORK }))).toEqual([
      'record_call',
    ]);
    const texasHash = callerHash(TEXAS, TEST_SECRETS.CALLER_HASH_SECRET);
    expect(await store.inner.getConsent(callId)).toMatchObject({
      state: 'granted',
      evidence: 'implied:one-party-disclosure',
      jurisdiction: 'US-TX',
      mode: 'disclose-and-record',
      callerHash: texasHash,
    });
    expect(await store.inner.callsForCaller(texasHash)).toContain(callId);
    expect(await store.inner.callsForCaller(callerHash(NEW_YORK, TEST_SECRETS.CALLER_HASH_SECRET))).not.toContain(callId);
  });

  it('property: whatever the request says (caller, global data, a mangled decision), a call not decided disclose-and-record under a one-party rule never records without a "yes"', async () => {
    const servedAs = fc.constantFrom<string | undefined>(CALIFORNIA, SIP_CALLER, FRANCE, undefined);
    const requestCaller = fc.constantFrom(TEXAS, NEW_YORK, CALIFORNIA, SIP_CALLER, '', '+1 (214) 555-0100', 'x'.repeat(64));
    const globalData = fc.record(
      {
        recording_mode: fc.oneof(fc.constantFrom('disclose-and-record', 'consent-first'), fc.string(), fc.constant(null)),
        recording_consent: fc.oneof(fc.boolean(), fc.string()),
        jurisdiction: fc.constantFrom('US-NY', 'US-TX', 'unknown', 'GB'),
        recording_refused: fc.constantFrom(false, 'no', 0),
      },
      { requiredKeys: [] },
    );
    const decidedRewrite = fc.option(
      fc.oneof(
        fc.constantFrom('disclose-and-record:US-TX:-', 'disclose-and-record:US-NY:-', 'disclose-and-record:unknown:-'),
        fc.string({ maxLength: 80 }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        servedAs,
        requestCaller,
        globalData,
        decidedRewrite,
        fc.array(fc.constantFrom(...START_TOOLS), { minLength: 1, maxLength: 4 }),
        async (served, caller, data, rewrite, tools) => {
          store = new FlakyConsentStore();
          useConsentStoreForTests(store);
          const callId = randomUUID();
          const document = served === undefined ? undefined : await serveSwml(callId, served);
          for (const [fn, args] of tools) {
            const query = { ...document?.queryFor(fn), ...(rewrite === null ? {} : { decided: rewrite }) };
            const response = await post(fn, args, callId, { query, caller, globalData: data });
            expect(recordingVerbs(response)).not.toContain('record_call');
          }
          await expectNothingGranted(callId);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the decision in the document (shared/consent/call-decision.ts)', () => {
  const config = parseConfig({ ...TEST_SECRETS, RECORDING_MODE: 'disclose-and-record' });
  const urls = agentUrls('https://agent.example.com', 'signalwire', TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD, config);

  it('every URL SignalWire calls back for the call carries the same signed decision, valid for that call only', async () => {
    const callId = randomUUID();
    const served = await serveSwml(callId, TEXAS);
    const expected = {
      mode: 'disclose-and-record',
      jurisdiction: JURISDICTIONS.get('US-TX'),
      callerHash: callerHash(TEXAS, TEST_SECRETS.CALLER_HASH_SECRET),
    };
    const statusQuery = Object.fromEntries(new URL(served.statusUrl ?? '').searchParams);
    const queries = [served.swaigQuery, served.queryFor('ssn_received'), served.queryFor('collect_sensitive_info'), statusQuery];
    for (const query of queries) {
      expect(decisionFromQuery(query, callId, TEST_SECRETS.TOKEN_SECRET)).toEqual(expected);
      expect(decisionFromQuery(query, randomUUID(), TEST_SECRETS.TOKEN_SECRET)).toBeUndefined();
      expect(decisionFromQuery(query, callId, 'another-token-secret-0123456')).toBeUndefined();
    }
    expect(served.queryFor('ssn_received').__token).toBeDefined();
  });

  it('no call id: nothing to bind a decision to, so consent-first even for a one-party caller', () => {
    const document = renderAgentSwml({
      config,
      urls,
      tokenSecret: TEST_SECRETS.TOKEN_SECRET,
      callerHashSecret: TEST_SECRETS.CALLER_HASH_SECRET,
      call: { callerNumber: TEXAS },
    });
    expect(document.sections.main.map((v) => Object.keys(v)[0])).toEqual(['answer', 'ai']);
    expect(JSON.stringify(document)).not.toContain('decided=');
  });

  it('reads nothing from a decision that is missing, expired, malformed or names an unknown mode or jurisdiction', () => {
    const callId = randomUUID();
    const texas = jurisdictionFor(TEXAS);
    const signed = (facts: string, now = Date.now()) => ({
      decided: facts,
      basis: mintToolToken(TEST_SECRETS.TOKEN_SECRET, callId, `decided:${facts}`, 600, now),
    });
    const read = (query: Record<string, string> | undefined) => decisionFromQuery(query, callId, TEST_SECRETS.TOKEN_SECRET);
    expect(read(undefined)).toBeUndefined();
    expect(read({})).toBeUndefined();
    expect(read({ decided: 'disclose-and-record:US-TX:-' })).toBeUndefined();
    expect(read(signed('disclose-and-record:US-TX:-', Date.now() - 3_600_000))).toBeUndefined();
    for (const facts of [
      'record-everything:US-TX:-',
      'disclose-and-record:US-XX:-',
      'disclose-and-record:US-TX',
      'a:b:c:d',
      '::',
    ]) {
      expect(read(signed(facts))).toBeUndefined();
    }
    expect(read(signed('disclose-and-record:US-TX:-'))).toEqual({ mode: 'disclose-and-record', jurisdiction: texas });
  });

  it('a signed disclose-and-record decision for an all-party jurisdiction reads as consent-first (re-derived, only ever stricter)', () => {
    const callId = randomUUID();
    const url = decidedUrl(
      'https://agent.example.com/swaig',
      callId,
      { mode: 'disclose-and-record', jurisdiction: jurisdictionFor(CALIFORNIA) },
      TEST_SECRETS.TOKEN_SECRET,
    );
    const query = Object.fromEntries(new URL(url).searchParams);
    expect(decisionFromQuery(query, callId, TEST_SECRETS.TOKEN_SECRET)?.mode).toBe('consent-first');
  });
});

describe('an erased call stays erased (issue #11 point 6)', () => {
  /** A California call that was recorded after a "yes", then erased: the consent store holds its tombstone. */
  async function erasedCall(): Promise<{ callId: string; query: (fn: string) => Record<string, string> }> {
    const callId = randomUUID();
    const served = await serveSwml(callId, CALIFORNIA);
    expect(recordingVerbs(await post(...YES, callId, { query: served.swaigQuery, caller: CALIFORNIA }))).toEqual(['record_call']);
    await store.inner.markErased(callId, { reason: 'data-subject-request' });
    return { callId, query: served.queryFor };
  }

  it.each([YES, ...START_TOOLS])(
    '%s after erasure: no record_call, the AI is told recording is off because the data was erased, nothing written',
    async (fn, args) => {
      const { callId, query } = await erasedCall();
      const before = await store.inner.listEvents(callId);
      const response = await post(fn, args, callId, { query: query(fn), caller: CALIFORNIA });
      expect(recordingVerbs(response)).toEqual([]);
      expect(response.response).toMatch(/Recording is OFF/);
      expect(response.response).toMatch(/erased/);
      expect(await store.inner.listEvents(callId)).toEqual(before);
      await expect(store.inner.getConsent(callId)).rejects.toBeInstanceOf(CallErasedError);
    },
  );

  it.each(OTHER_TOOLS)('%s after erasure: answered (200), no record_call, nothing written', async (fn, args) => {
    const { callId, query } = await erasedCall();
    const before = await store.inner.listEvents(callId);
    const response = await post(fn, args, callId, { query: query(fn), caller: CALIFORNIA });
    expect(recordingVerbs(response)).not.toContain('record_call');
    expect(await store.inner.listEvents(callId)).toEqual(before);
  });

  it('property: after erasure no sequence of tools, answers and request data records or writes anything', async () => {
    const anyTool = fc.constantFrom(YES, ...START_TOOLS, ...OTHER_TOOLS);
    await fc.assert(
      fc.asyncProperty(
        fc.array(anyTool, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(TEXAS, CALIFORNIA, NEW_YORK),
        async (tools, caller) => {
          store = new FlakyConsentStore();
          useConsentStoreForTests(store);
          const { callId, query } = await erasedCall();
          const before = await store.inner.listEvents(callId);
          for (const [fn, args] of tools) {
            const response = await post(fn, args, callId, { query: query(fn), caller });
            expect(recordingVerbs(response)).not.toContain('record_call');
          }
          expect(await store.inner.listEvents(callId)).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
  });
});
