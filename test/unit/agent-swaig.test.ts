import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { metrics } from '#shared/observability/metrics.js';
import { effectiveRecordingMode, jurisdictionFor } from '#shared/consent/jurisdictions.js';
import { classifyConsentAnswer } from '#shared/consent/policy.js';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { swaigCore, useConsentStoreForTests } from '#shared/agent/swaig-core.js';
import { mintToolToken } from '#shared/security/tool-token.js';
import { paymentCallFromQuery } from '#shared/payments/call-token.js';
import type { SwaigResponse } from '#shared/swaig/function-result.js';
import type { ConsentStore } from '#shared/consent/types.js';
import { FlakyConsentStore } from '#test/support/flaky-consent-store.js';
import { apiEvent, lambdaContext, recordingVerbs, swaigRequestBody } from '#test/support/signalwire.js';
import { TEST_SECRETS } from '#test/support/storage.js';
import { swmlErrors } from '#test/support/swml-schema.js';
import { captureLogs } from '#test/support/logs.js';
import { serveSwml } from '#test/support/served-swml.js';
import { resetInstance } from '#shared/instance.js';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

const TEXAS = '+12145550100'; // one-party
const CALIFORNIA = '+14155550100'; // all-party

let store: FlakyConsentStore;
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, TEST_SECRETS, { SWML_PROXY_URL_BASE: 'https://agent.example.com', RECORDING_MODE: 'consent-first' });
  resetInstance();
  handler = (await import('#functions/swaig/handler.js')).handler as unknown as Handler;
});
afterAll(() => useConsentStoreForTests(undefined));

beforeEach(() => {
  store = new FlakyConsentStore();
  useConsentStoreForTests(store);
});

/**
 * One SWAIG request for the call, posted as SignalWire would: to the web hook URL of the SWML
 * document served for the call (served now, for `caller`, under the current configuration), so
 * it carries the call's signed decision. `served: false`: the SWML was never served.
 */
async function call(
  fn: string,
  args: Record<string, unknown>,
  callId: string,
  options: { token?: string; caller?: string; globalData?: Record<string, unknown>; served?: boolean } = {},
) {
  const caller = options.caller ?? CALIFORNIA;
  const query = {
    ...(options.served === false ? {} : (await serveSwml(callId, caller)).swaigQuery),
    ...(options.token ? { __token: options.token } : {}),
  };
  const event = apiEvent({
    path: '/swaig',
    body: swaigRequestBody(fn, args, callId, caller, options.globalData),
    query,
  });
  event.jsonBody = JSON.parse(event.body ?? '{}');
  const result = await swaigCore(event);
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body) as SwaigResponse;
}

const token = (callId: string, fn: string) => mintToolToken(TEST_SECRETS.TOKEN_SECRET, callId, fn, 600);

function expectValidSwmlActions(response: SwaigResponse) {
  for (const action of response.action ?? []) {
    if ('SWML' in action) expect(swmlErrors(action.SWML)).toEqual([]);
  }
}

describe('consent tool', () => {
  it.each(['yes', 'Okay.', 'sure!', "that's fine", 'YES please'])('"%s" grants consent and starts recording', async (answer) => {
    const callId = randomUUID();
    const response = await call('get_recording_consent', { response: answer }, callId);
    expect(recordingVerbs(response)).toEqual(['record_call']);
    expect(response.action).toContainEqual({ set_global_data: { recording_consent: true } });
    expectValidSwmlActions(response);
    expect((await store.getConsent(callId))?.state).toBe('granted');
  });

  it.each(['no', 'not okay', 'I would rather not', 'maybe later', 'what?'])('"%s" declines and never records', async (answer) => {
    const callId = randomUUID();
    const response = await call('get_recording_consent', { response: answer }, callId);
    expect(recordingVerbs(response)).not.toContain('record_call');
    expect(response.action).toContainEqual({ set_global_data: { recording_consent: false } });
    expect((await store.getConsent(callId))?.state).toBe('declined');
    const later = await call('start_recording', {}, callId);
    expect(recordingVerbs(later)).toEqual([]);
    expect(later.response).toMatch(/Recording is OFF/);
  });

  it.each(['Yes, I do mind', "okay, I'm opting out", 'yeah, uh-uh', 'okay, n\u200bo', 'yes, n\u043e'])(
    '"%s" (a yes-word, but not an unambiguous yes) declines, and a later plain "yes" cannot undo it',
    async (answer) => {
      const callId = randomUUID();
      expect(recordingVerbs(await call('get_recording_consent', { response: answer }, callId))).not.toContain('record_call');
      expect((await store.getConsent(callId))?.state).toBe('declined');
      const again = await call('get_recording_consent', { response: 'yes' }, callId);
      expect(recordingVerbs(again)).not.toContain('record_call');
      expect(again.action).toContainEqual({ set_global_data: { recording_consent: false } });
      expect((await store.getConsent(callId))?.state).toBe('declined');
    },
  );

  it('records with the configured options, control id main and the status webhook', async () => {
    const response = await call('get_recording_consent', { response: 'yes' }, randomUUID());
    const action = response.action?.find((a) => 'SWML' in a) as {
      SWML: { sections: { main: Array<{ record_call?: Record<string, unknown> }> } };
    };
    expect(action.SWML.sections.main[0]?.record_call).toEqual({
      stereo: true,
      format: 'mp3',
      direction: 'both',
      beep: false,
      input_sensitivity: 44,
      control_id: 'main',
      // The call's signed decision (its callbacks authenticate without basic auth too), and
      // `segment`: which of the call's record_calls a callback is about (shared/agent/recording-state.ts).
      status_url: expect.stringMatching(
        new RegExp(
          `^https://signalwire:${TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD}@agent\\.example\\.com/recording-status\\?decided=[^&]+&basis=[^&]+&segment=1$`,
        ),
      ),
    });
  });

  it('keeps consent evidence as a category and audits it, never the caller\u2019s words', async () => {
    const callId = randomUUID();
    // A yes followed by anything else is not an unambiguous yes (consent-policy/2026-1): declined.
    await call('get_recording_consent', { response: 'yes my card is 4111111111111111' }, callId);
    const events = await store.listEvents(callId);
    // Nothing ran, so no stop_record_call went out: the trail says it was skipped.
    expect(events.map((e) => e.type)).toEqual(['disclosure_given', 'consent_declined', 'recording_skipped']);
    expect(events[0]?.detail).toEqual({ mode: 'consent-first', jurisdiction: 'US-CA' });
    expect(events[1]?.detail).toEqual({ category: 'declined:not-affirmative' });
    expect((await store.getConsent(callId))?.evidence).toBe('declined:not-affirmative');
    expect(JSON.stringify(events)).not.toContain('4111');
    expect(JSON.stringify(await store.getConsent(callId))).not.toContain('4111');
  });
});

describe('recording control', () => {
  it('pause then resume after consent emits stop_record_call then record_call, both audited', async () => {
    const callId = randomUUID();
    await call('get_recording_consent', { response: 'yes' }, callId);
    expect(recordingVerbs(await call('pause_recording', {}, callId))).toEqual(['stop_record_call']);
    expect(recordingVerbs(await call('resume_recording', {}, callId))).toEqual(['record_call']);
    const types = (await store.listEvents(callId)).map((e) => e.type);
    expect(types).toEqual(['disclosure_given', 'consent_granted', 'recording_started', 'recording_paused', 'recording_resumed']);
  });

  it('start, resume and normal_mode are blocked without consent', async () => {
    const callId = randomUUID();
    for (const fn of ['start_recording', 'resume_recording', 'normal_mode']) {
      const response = await call(fn, {}, callId);
      expect(recordingVerbs(response)).toEqual([]);
    }
    expect((await store.listEvents(callId)).filter((e) => e.type === 'recording_blocked')).toHaveLength(3);
  });

  it('a "no" after a "yes" is a withdrawal: earlier recordings stay covered, nothing restarts', async () => {
    const callId = randomUUID();
    await call('get_recording_consent', { response: 'yes' }, callId);
    expect(recordingVerbs(await call('get_recording_consent', { response: 'no, stop that' }, callId))).toEqual([
      'stop_record_call',
    ]);
    expect((await store.getConsent(callId))?.state).toBe('withdrawn');
    expect(recordingVerbs(await call('resume_recording', {}, callId))).toEqual([]);
  });

  it('a withdrawal is final: stop_recording, then nothing restarts recording', async () => {
    const callId = randomUUID();
    await call('get_recording_consent', { response: 'yes' }, callId);
    expect(recordingVerbs(await call('stop_recording', {}, callId))).toEqual(['stop_record_call']);
    expect((await store.getConsent(callId))?.state).toBe('withdrawn');
    for (const [fn, args] of [
      ['resume_recording', {}],
      ['start_recording', {}],
      ['get_recording_consent', { response: 'yes' }],
    ] as const) {
      expect(recordingVerbs(await call(fn, args, callId))).toEqual([]);
    }
  });

  it('disclose-and-record for a one-party caller treats the disclosure as consent; all-party callers still need a yes', async () => {
    process.env.RECORDING_MODE = 'disclose-and-record';
    resetInstance(); // forgets the injected store too: inject it again
    useConsentStoreForTests(store);
    try {
      const disclosed = { recording_mode: 'disclose-and-record' };
      const texas = randomUUID();
      // The document itself started the recording: a resume starts no second one; pause, then resume does.
      expect(recordingVerbs(await call('resume_recording', {}, texas, { caller: TEXAS, globalData: disclosed }))).toEqual([]);
      expect(recordingVerbs(await call('pause_recording', {}, texas, { caller: TEXAS, globalData: disclosed }))).toEqual([
        'stop_record_call',
      ]);
      expect(recordingVerbs(await call('resume_recording', {}, texas, { caller: TEXAS, globalData: disclosed }))).toEqual([
        'record_call',
      ]);
      expect((await store.getConsent(texas))?.evidence).toBe('implied:one-party-disclosure');
      const california = randomUUID();
      expect(
        recordingVerbs(await call('resume_recording', {}, california, { caller: CALIFORNIA, globalData: disclosed })),
      ).toEqual([]);
      // The SWML document was never served for this call: nothing was disclosed or decided, so
      // a one-party number and disclose-and-record global data on a SWAIG request imply nothing.
      // (test/unit/agent-decided-facts.test.ts tries every other way round.)
      const undisclosed = randomUUID();
      expect(
        recordingVerbs(await call('resume_recording', {}, undisclosed, { caller: TEXAS, globalData: disclosed, served: false })),
      ).toEqual([]);
    } finally {
      process.env.RECORDING_MODE = 'consent-first';
      resetInstance();
    }
  });
});

describe('sensitive capture', () => {
  it('collect_ssn pauses; ssn_received speaks only the last four digits and resumes', async () => {
    const callId = randomUUID();
    await call('get_recording_consent', { response: 'yes' }, callId);
    const paused = await call('collect_ssn', {}, callId);
    expect(recordingVerbs(paused)).toEqual(['stop_record_call']);
    const received = await call('ssn_received', { ssn: '123-45-6789' }, callId, { token: token(callId, 'ssn_received') });
    expect(received.response).toContain('6789');
    expect(JSON.stringify(received)).not.toContain('123-45');
    expect(JSON.stringify(received)).not.toContain('12345');
    expect(received.action).toContainEqual({ set_global_data: { ssn_verified: true, secure_mode: false } });
    expect(recordingVerbs(received)).toEqual(['record_call']);
    const events = await store.listEvents(callId);
    expect(events.map((e) => e.type)).toContain('secure_tool_used');
    expect(JSON.stringify(events)).not.toContain('6789');
  });

  it('an SSN taken while the recording runs (collect_ssn skipped) is flagged as an incident', async () => {
    const callId = randomUUID();
    await call('get_recording_consent', { response: 'yes' }, callId);
    const logs = captureLogs();
    const metric = vi.spyOn(metrics(), 'addMetric');
    let counted: unknown[] = [];
    try {
      await call('ssn_received', { ssn: '123-45-6789' }, callId, { token: token(callId, 'ssn_received') });
      counted = metric.mock.calls.map((c) => c[0]);
    } finally {
      logs.restore();
      metric.mockRestore();
    }
    const used = (await store.listEvents(callId)).find((e) => e.type === 'secure_tool_used');
    expect(used?.detail).toEqual({ tool: 'ssn_received', recordingActive: true });
    expect(logs.text()).toContain('incident: sensitive data taken while recording');
    expect(counted).toContain('SensitiveWhileRecording');
  });

  it('no incident when the recording was paused first', async () => {
    const callId = randomUUID();
    await call('get_recording_consent', { response: 'yes' }, callId);
    await call('collect_ssn', {}, callId);
    await call('ssn_received', { ssn: '123-45-6789' }, callId, { token: token(callId, 'ssn_received') });
    const used = (await store.listEvents(callId)).find((e) => e.type === 'secure_tool_used');
    expect(used?.detail).toEqual({ tool: 'ssn_received', recordingActive: false });
  });

  it('an invalid SSN keeps recording paused', async () => {
    const callId = randomUUID();
    const response = await call('ssn_received', { ssn: '12' }, callId, { token: token(callId, 'ssn_received') });
    expect(recordingVerbs(response)).toEqual([]);
  });

  it('collect_sensitive_info never echoes the value', async () => {
    const callId = randomUUID();
    const response = await call('collect_sensitive_info', { info_type: 'date_of_birth', value: '04/05/1980' }, callId, {
      token: token(callId, 'collect_sensitive_info'),
    });
    expect(JSON.stringify(response)).not.toContain('1980');
  });

  /** The SWML verbs of each SWML action, in order. */
  const swmlVerbs = (response: SwaigResponse): string[][] =>
    (response.action ?? [])
      .filter((a) => 'SWML' in a)
      .map((a) => ((a.SWML as { sections: { main: Record<string, unknown>[] } }).sections.main ?? []).flatMap(Object.keys));

  describe('payment without recording the card (issue #11 point 7)', () => {
    it('never copies request text into the pay verb: a description (say, an SSN the caller spoke) is dropped', async () => {
      const response = await call('process_payment', { amount: '10.00', description: 'for SSN 078-05-1120' }, randomUUID());
      const text = JSON.stringify(response);
      expect(text).toContain('"pay"');
      expect(text).not.toContain('078-05-1120');
      expect(text).not.toContain('"description"');
    });

    it('process_payment pauses at once: no post_process, stop_record_call then pay in one SWML document', async () => {
      const callId = randomUUID();
      await call('get_recording_consent', { response: 'yes' }, callId);
      const response = await call('process_payment', { amount: '10.00' }, callId);
      expect(response).not.toHaveProperty('post_process');
      expect(swmlVerbs(response)).toEqual([['stop_record_call', 'set', 'pay']]);
      expect(recordingVerbs(response)).toEqual(['stop_record_call']);
      expectValidSwmlActions(response);
      const pay = JSON.stringify(response.action);
      expect(pay).toContain('${pay_result}');
      expect(pay).toContain('"charge_amount":"10.00"');
      expect(pay).toContain('"input":"dtmf"');
    });

    it("process_payment's connector URL is ours, with basic auth and a token for this call only", async () => {
      const callId = randomUUID();
      const response = await call('process_payment', { amount: '10.00' }, callId);
      const pay = JSON.stringify(response.action);
      const url = new URL(/"payment_connector_url":"([^"]+)"/.exec(pay)?.[1] ?? '');
      expect(`${url.origin}${url.pathname}`).toBe('https://agent.example.com/payment');
      expect(url.username).toBe('signalwire');
      expect(url.password).toBe(TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD);
      const query = Object.fromEntries(url.searchParams);
      expect(query.call_id).toBe(callId);
      expect(paymentCallFromQuery(query, TEST_SECRETS.TOKEN_SECRET)).toEqual({ callId });
      expect(paymentCallFromQuery({ ...query, call_id: randomUUID() }, TEST_SECRETS.TOKEN_SECRET)).toEqual({
        verdict: 'wrong_call',
      });
    });

    it('process_payment still hands over the card capture when no recording runs (consent never asked)', async () => {
      const response = await call('process_payment', { amount: '5.00' }, randomUUID());
      expect(swmlVerbs(response).flat()).toContain('pay');
    });
  });

  it('recording_info tells retention and how to request copy or deletion', async () => {
    const response = await call('recording_info', {}, randomUUID());
    expect(response.response).toMatch(/90 days/);
    expect(response.response).toMatch(/copy/);
    expect(response.response).toMatch(/deleted/);
  });

  it('a tool that neither starts nor stops a recording touches no storage (issue #10)', async () => {
    const methods = Object.getOwnPropertyNames(FlakyConsentStore.prototype).filter(
      (name): name is keyof ConsentStore => name !== 'constructor' && name !== 'guard',
    );
    const spies = methods.map((name) => vi.spyOn(store, name));
    expect(spies.length).toBeGreaterThan(5);
    await call('recording_info', {}, randomUUID());
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});

describe('secure tool tokens (through the real handler)', () => {
  async function invoke(callId: string, query?: Record<string, string>) {
    const event = apiEvent({ path: '/swaig', body: swaigRequestBody('ssn_received', { ssn: '123456789' }, callId), query });
    return handler(event, lambdaContext());
  }

  it('accepts the right token', async () => {
    const callId = randomUUID();
    expect((await invoke(callId, { __token: token(callId, 'ssn_received') })).statusCode).toBe(200);
  });

  it.each([
    ['missing', () => undefined],
    ['forged', (c: string) => Buffer.from(`${c}.ssn_received.9999999999.abcd.${'0'.repeat(64)}`).toString('base64url')],
    ['expired', (c: string) => mintToolToken(TEST_SECRETS.TOKEN_SECRET, c, 'ssn_received', 60, Date.now() - 3_600_000)],
    ['other call', () => token(randomUUID(), 'ssn_received')],
    ['other function', (c: string) => token(c, 'collect_sensitive_info')],
    ['garbage', () => '!!!'],
  ])('rejects a %s token with 403 and never logs the SSN', async (_label, make) => {
    const logs = captureLogs();
    try {
      const callId = randomUUID();
      const t = make(callId);
      const result = await invoke(callId, t ? { __token: t } : undefined);
      expect(result.statusCode).toBe(403);
      expect(JSON.parse(result.body).error.code).toBe('invalid_token');
    } finally {
      logs.restore();
    }
    expect(logs.text()).not.toContain('123456789');
  });
});

describe('bad input (through the real handler)', () => {
  const send = (body: unknown, extra: { rawBody?: string; auth?: string | null; headers?: Record<string, string> } = {}) =>
    handler(apiEvent({ path: '/swaig', body, ...extra }), lambdaContext());

  it.each([
    ['unknown tool', swaigRequestBody('format_disk', {}, randomUUID()), 404, 'unknown_function'],
    ['wrong argument type', swaigRequestBody('get_recording_consent', { response: 42 }, randomUUID()), 400, 'invalid_arguments'],
    ['missing argument', swaigRequestBody('get_recording_consent', {}, randomUUID()), 400, 'invalid_arguments'],
    ['missing function', { argument: { parsed: [{}] }, call_id: randomUUID() }, 400, 'invalid_request'],
    ['missing argument object', { function: 'recording_info', call_id: randomUUID() }, 400, 'invalid_request'],
    ['hostile call id', swaigRequestBody('recording_info', {}, '../../etc/passwd'), 400, 'invalid_request'],
    ['SSN posing as a call id', swaigRequestBody('recording_info', {}, '123-45-6789'), 400, 'invalid_request'],
    ['array body', [1, 2], 400, 'invalid_body'],
  ])('%s → %i', async (_label, body, status, code) => {
    const result = await send(body);
    expect(result.statusCode).toBe(status);
    expect(JSON.parse(result.body).error.code).toBe(code);
  });

  it('does not echo an unknown function name (it may carry personal data)', async () => {
    const result = await send(swaigRequestBody('ssn_078_05_1120', {}, randomUUID()));
    expect(result.statusCode).toBe(404);
    expect(result.body).not.toContain('078');
  });

  it('malformed JSON → 400, oversized → 413, no auth → 401, wrong auth → 401, wrong content type → 415', async () => {
    expect((await send(undefined, { rawBody: '{"function":' })).statusCode).toBe(400);
    expect((await send(undefined, { rawBody: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }) })).statusCode).toBe(413);
    expect((await send(swaigRequestBody('recording_info', {}, randomUUID()), { auth: null })).statusCode).toBe(401);
    expect(
      (
        await send(swaigRequestBody('recording_info', {}, randomUUID()), {
          auth: `Basic ${Buffer.from('signalwire:nope').toString('base64')}`,
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (await send(swaigRequestBody('recording_info', {}, randomUUID()), { headers: { 'content-type': 'application/xml' } }))
        .statusCode,
    ).toBe(415);
  });

  it('answers get_signature with the requested definitions', async () => {
    const result = await send({ action: 'get_signature', functions: ['recording_info', 'get_recording_consent', 'nope'] });
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).map((d: { function: string }) => d.function)).toEqual([
      'recording_info',
      'get_recording_consent',
    ]);
  });
});

describe('fail closed', () => {
  it('storage down: a yes does not record, and recording is switched off', async () => {
    const callId = randomUUID();
    store.down = true;
    const response = await call('get_recording_consent', { response: 'yes' }, callId);
    expect(recordingVerbs(response)).toEqual(['stop_record_call']);
  });

  it('a withdrawal lost to a storage fault still stands: the refusal travels in global data', async () => {
    const callId = randomUUID();
    await call('get_recording_consent', { response: 'yes' }, callId);
    store.down = true;
    const stop = await call('stop_recording', {}, callId);
    expect(recordingVerbs(stop)).toEqual(['stop_record_call']);
    expect(stop.action).toContainEqual({ set_global_data: { recording_refused: true, recording_consent: false } });
    store.down = false;
    // Stored consent still says granted (the write was lost), but SignalWire echoes the flag.
    expect((await store.getConsent(callId))?.state).toBe('granted');
    const resumed = await call('resume_recording', {}, callId, { globalData: { recording_refused: true } });
    expect(recordingVerbs(resumed)).toEqual([]);
  });

  it('storage down after consent: resume is blocked (unknown consent = no recording)', async () => {
    const callId = randomUUID();
    await call('get_recording_consent', { response: 'yes' }, callId);
    store.down = true;
    expect(recordingVerbs(await call('resume_recording', {}, callId))).toEqual([]);
  });

  it('property: no record_call ever leaves without stored granted consent', async () => {
    const tools = [
      'start_recording',
      'resume_recording',
      'normal_mode',
      'pause_recording',
      'secure_mode',
      'stop_recording',
      'collect_ssn',
      'recording_info',
    ];
    const step = fc.oneof(
      fc.record({ kind: fc.constant('tool' as const), fn: fc.constantFrom(...tools) }),
      fc.record({
        kind: fc.constant('consent' as const),
        answer: fc.constantFrom('yes', 'no', 'okay', 'not okay', 'sure', 'hmm', 'fine', 'nope'),
      }),
      fc.record({ kind: fc.constant('fault' as const), down: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 12 }),
        fc.constantFrom('consent-first', 'disclose-and-record'),
        fc.constantFrom(TEXAS, CALIFORNIA),
        async (steps, mode, caller) => {
          process.env.RECORDING_MODE = mode;
          resetInstance();
          const local = new FlakyConsentStore();
          useConsentStoreForTests(local);
          const callId = randomUUID();
          // What SignalWire keeps for the call: the SWML document's global data plus every set_global_data action.
          const globalData: Record<string, unknown> = { recording_mode: effectiveRecordingMode(mode, jurisdictionFor(caller)) };
          let refused = false;
          for (const s of steps) {
            if (s.kind === 'fault') {
              local.down = s.down;
              continue;
            }
            const response =
              s.kind === 'tool'
                ? await call(s.fn, {}, callId, { caller, globalData })
                : await call('get_recording_consent', { response: s.answer }, callId, { caller, globalData });
            for (const action of response.action ?? [])
              if ('set_global_data' in action) Object.assign(globalData, action.set_global_data);
            if (recordingVerbs(response).includes('record_call')) {
              const stored = await local.inner.getConsent(callId);
              expect(stored?.state).toBe('granted');
              // Once the caller said no or asked to stop, nothing may start recording again.
              expect(refused).toBe(false);
            }
            if (s.kind === 'tool' ? s.fn === 'stop_recording' : classifyConsentAnswer(s.answer).decision === 'declined')
              refused = true;
          }
        },
      ),
      { numRuns: 150 },
    );
    process.env.RECORDING_MODE = 'consent-first';
    resetInstance();
  });
});
