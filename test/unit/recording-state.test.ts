import { itemsWriteGate } from '#test/support/items-write-gate.js';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { swaigCore, useConsentStoreForTests } from '#shared/agent/swaig-core.js';
import { afterCallback } from '#shared/consent/recording-control.js';
import { resetInstance } from '#shared/instance.js';
import { metrics } from '#shared/observability/metrics.js';
import { InProcessJobQueue } from '#shared/recordings/job-queue.js';
import { InMemoryIngestLedger } from '#shared/recordings/ingest-ledger.js';
import { ingestRecordingWebhook, type IngestDeps } from '#shared/recordings/ingest.js';
import type { IngestCallData } from '#shared/recordings/ingest-protection.js';
import { InMemoryRecordingStore } from '#shared/recordings/memory-recording-store.js';
import { parseRecordingWebhook } from '#shared/recordings/webhook.js';
import { mintToolToken } from '#shared/security/tool-token.js';
import type { SwaigResponse } from '#shared/swaig/function-result.js';
import { FlakyConsentStore } from '#test/support/flaky-consent-store.js';
import { serveSwml, type ServedSwml } from '#test/support/served-swml.js';
import { apiEvent, swaigRequestBody } from '#test/support/signalwire.js';
import { TEST_SECRETS } from '#test/support/storage.js';

/**
 * Issue #11 points 2–3: one recording at a time, the server knows which (from what it emits and
 * from SignalWire's record_call callbacks), and callbacks the consent state does not allow are
 * incidents (audited, counted, alarmed: test/infra/stack.test.ts).
 */

const CALIFORNIA = '+14155550100'; // all-party: consent-first
const SECURE = new Set(['collect_sensitive_info', 'ssn_received']);

type Args = Record<string, unknown>;
const START_TOOLS: ReadonlyArray<[string, Args]> = [
  ['get_recording_consent', { response: 'yes' }],
  ['start_recording', {}],
  ['resume_recording', {}],
  ['normal_mode', {}],
  ['collect_sensitive_info', { info_type: 'date_of_birth', value: '1970-01-01' }],
  ['ssn_received', { ssn: '123-45-6789' }],
];
const STOP_TOOLS: ReadonlyArray<[string, Args]> = [
  ['get_recording_consent', { response: 'no' }],
  ['stop_recording', {}],
  ['pause_recording', {}],
  ['secure_mode', {}],
  ['collect_ssn', {}],
  ['process_payment', { amount: '5.00' }],
];

let store: FlakyConsentStore;
let served: Map<string, ServedSwml>;
let metricSpy: ReturnType<typeof vi.spyOn>;

beforeAll(() => {
  Object.assign(process.env, TEST_SECRETS, { SWML_PROXY_URL_BASE: 'https://agent.example.com', RECORDING_MODE: 'consent-first' });
  resetInstance();
});
afterAll(() => useConsentStoreForTests(undefined));
beforeEach(() => {
  store = new FlakyConsentStore();
  useConsentStoreForTests(store);
  served = new Map();
  metricSpy?.mockRestore();
  metricSpy = vi.spyOn(metrics(), 'addMetric').mockImplementation(() => metrics());
});

const incidentsCounted = (): number => metricSpy.mock.calls.filter((c: unknown[]) => c[0] === 'RecordingIncident').length;

/** One SWAIG request, posted as SignalWire would for a call whose SWML was served to a California caller. */
async function tool(callId: string, name: string, args: Args = {}): Promise<SwaigResponse> {
  let swml = served.get(callId);
  if (!swml) {
    swml = await serveSwml(callId, CALIFORNIA);
    served.set(callId, swml);
  }
  const query = {
    ...swml.swaigQuery,
    ...(SECURE.has(name) ? { __token: mintToolToken(TEST_SECRETS.TOKEN_SECRET, callId, name, 600) } : {}),
  };
  const event = apiEvent({ path: '/swaig', body: swaigRequestBody(name, args, callId, CALIFORNIA), query });
  event.jsonBody = JSON.parse(event.body ?? '{}');
  const result = await swaigCore(event);
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body) as SwaigResponse;
}

interface Verb {
  verb: 'record_call' | 'stop_record_call';
  params: Record<string, unknown>;
}

/** Every record_call / stop_record_call in the response's SWML actions, in order, with its parameters. */
function verbs(response: SwaigResponse): Verb[] {
  const found: Verb[] = [];
  for (const action of response.action ?? []) {
    const swml = (action as { SWML?: { sections?: Record<string, Array<Record<string, unknown>>> } }).SWML;
    for (const steps of Object.values(swml?.sections ?? {})) {
      for (const step of steps) {
        for (const verb of ['record_call', 'stop_record_call'] as const) {
          if (verb in step) found.push({ verb, params: (step[verb] ?? {}) as Record<string, unknown> });
        }
      }
    }
  }
  return found;
}
const count = (response: SwaigResponse, verb: Verb['verb']): number => verbs(response).filter((v) => v.verb === verb).length;

function ingestDeps(): IngestDeps {
  const callData: IngestCallData = {
    listItems: async () => [],
    setItemExpiry: async () => undefined,
    putJson: async () => undefined,
  };
  return {
    consent: store,
    metadata: new InMemoryRecordingStore(),
    ledger: new InMemoryIngestLedger(),
    queue: new InProcessJobQueue(),
    callData,
    gate: itemsWriteGate(callData),
    settings: { stereo: false, retentionDays: 30 },
    inFlightPolls: 1,
    inFlightPollDelayMs: 1,
  };
}
let deps: IngestDeps;
beforeEach(() => {
  deps = ingestDeps();
});

/** A record_call status callback in SignalWire's current shape; `segment` as our status_url tags it. */
async function callback(callId: string, state: string, recordingId: string, segment?: number) {
  const event = parseRecordingWebhook({
    event_type: 'calling.call.record',
    params: {
      call_id: callId,
      control_id: 'main',
      state,
      recording_id: recordingId,
      ...(state === 'finished'
        ? { url: `https://example.signalwire.com/api/v1/recordings/${recordingId}.mp3`, duration: 3 }
        : {}),
    },
  });
  return ingestRecordingWebhook(event, deps, segment === undefined ? {} : { segment });
}

const segmentOf = (v: Verb): number | undefined => {
  const url = v.params.status_url;
  const segment = typeof url === 'string' ? new URL(url).searchParams.get('segment') : null;
  return segment === null ? undefined : Number(segment);
};

/** A call with consent granted and, after pause_recording, nothing running. */
async function grantedAndIdle(): Promise<string> {
  const callId = randomUUID();
  expect(count(await tool(callId, 'get_recording_consent', { response: 'yes' }), 'record_call')).toBe(1);
  expect(count(await tool(callId, 'pause_recording'), 'stop_record_call')).toBe(1);
  return callId;
}

describe('one recording at a time (issue #11 point 2)', () => {
  describe.each(START_TOOLS)('start-type %s', (first, firstArgs) => {
    it.each(START_TOOLS)(
      'then %s: one record_call (control id "main"), never a second while it runs',
      async (second, secondArgs) => {
        const callId = await grantedAndIdle();
        const a = await tool(callId, first, firstArgs);
        const b = await tool(callId, second, secondArgs);
        const starts = [...verbs(a), ...verbs(b)].filter((v) => v.verb === 'record_call');
        expect(starts).toHaveLength(1);
        expect(starts[0]?.params.control_id).toBe('main');
        expect(count(b, 'record_call')).toBe(0);
        expect((await store.inner.getRecordingControl(callId, 'main'))?.status).toBe('starting');
        expect((await store.listEvents(callId)).some((e) => e.type === 'recording_skipped')).toBe(true);
      },
    );
  });

  describe.each(STOP_TOOLS)('stop-type %s', (first, firstArgs) => {
    it.each(STOP_TOOLS)('then %s: one stop_record_call while recording, none when nothing runs', async (second, secondArgs) => {
      const callId = randomUUID();
      expect(count(await tool(callId, 'get_recording_consent', { response: 'yes' }), 'record_call')).toBe(1);
      const a = await tool(callId, first, firstArgs);
      const b = await tool(callId, second, secondArgs);
      expect(count(a, 'stop_record_call')).toBe(1);
      expect(count(b, 'stop_record_call')).toBe(0);
      expect((await store.inner.getRecordingControl(callId, 'main'))?.status).toBe('idle');
    });
  });

  it.each(STOP_TOOLS)(
    '%s before anything was recorded emits no stop_record_call (payment still hands over the capture)',
    async (name, args) => {
      const callId = randomUUID();
      const response = await tool(callId, name, args);
      expect(count(response, 'stop_record_call')).toBe(0);
      if (name === 'process_payment') expect(JSON.stringify(response.action)).toContain('"pay"');
    },
  );

  it('two concurrent start requests: exactly one record_call', async () => {
    const callId = await grantedAndIdle();
    const responses = await Promise.all([tool(callId, 'start_recording'), tool(callId, 'resume_recording')]);
    expect(responses.reduce((n, r) => n + count(r, 'record_call'), 0)).toBe(1);
  });

  it('a storage fault on the recording state: no record_call (fails closed)', async () => {
    const callId = await grantedAndIdle();
    const put = vi.spyOn(store, 'putRecordingControl').mockRejectedValue(new Error('ECONNREFUSED'));
    const response = await tool(callId, 'resume_recording');
    put.mockRestore();
    expect(count(response, 'record_call')).toBe(0);
    expect(response.response).toMatch(/Recording is OFF/);
  });

  it('no record_call while a secure tool collects data; normal_mode ends collection and resumes', async () => {
    const callId = randomUUID();
    await tool(callId, 'get_recording_consent', { response: 'yes' });
    expect(count(await tool(callId, 'secure_mode'), 'stop_record_call')).toBe(1);
    expect(count(await tool(callId, 'resume_recording'), 'record_call')).toBe(0);
    expect(count(await tool(callId, 'start_recording'), 'record_call')).toBe(0);
    expect(count(await tool(callId, 'normal_mode'), 'record_call')).toBe(1);
  });

  it('SignalWire callbacks move the state: a confirmed recording blocks a start, its finish frees the control id', async () => {
    const callId = await grantedAndIdle();
    const start = verbs(await tool(callId, 'resume_recording')).find((v) => v.verb === 'record_call');
    const segment = start ? segmentOf(start) : undefined;
    expect(segment).toEqual(expect.any(Number));
    const rec = randomUUID();
    await callback(callId, 'recording', rec, segment);
    expect(await store.inner.getRecordingControl(callId, 'main')).toMatchObject({ status: 'recording', recordingId: rec });
    expect(count(await tool(callId, 'start_recording'), 'record_call')).toBe(0);
    await callback(callId, 'error', rec, segment);
    expect(count(await tool(callId, 'start_recording'), 'record_call')).toBe(1);
  });

  it('a late callback of an earlier segment never frees the running one', async () => {
    const callId = randomUUID();
    const first = verbs(await tool(callId, 'get_recording_consent', { response: 'yes' })).find((v) => v.verb === 'record_call');
    await tool(callId, 'pause_recording');
    const second = verbs(await tool(callId, 'resume_recording')).find((v) => v.verb === 'record_call');
    expect(segmentOf(second as Verb)).toBeGreaterThan(segmentOf(first as Verb) as number);
    const old = randomUUID();
    await callback(callId, 'recording', old, segmentOf(first as Verb));
    await callback(callId, 'finished', old, segmentOf(first as Verb));
    expect(count(await tool(callId, 'start_recording'), 'record_call')).toBe(0);
  });

  it('afterCallback: a callback for a stranger never frees the known segment', () => {
    const running = { status: 'recording' as const, recordingId: 'a', ended: [], collecting: false };
    expect(afterCallback(running, 'recording', 'b')).toBeUndefined();
    expect(afterCallback(running, 'finished', 'b')).toMatchObject({ status: 'recording', recordingId: 'a', ended: ['b'] });
    expect(afterCallback(running, 'finished', 'a')).toMatchObject({ status: 'idle', ended: ['a'] });
  });
});

describe('callbacks reconcile and alarm (issue #11 point 3)', () => {
  const incidents = async (callId: string) =>
    (await store.inner.listEvents(callId)).filter((e) => e.type === 'recording_incident').map((e) => e.detail);

  it('a recording under granted consent is confirmed with its recording_id, no incident', async () => {
    const callId = await grantedAndIdle();
    const rec = randomUUID();
    await callback(callId, 'recording', rec);
    const confirmed = (await store.inner.listEvents(callId)).find((e) => e.type === 'recording_confirmed');
    expect(confirmed?.detail).toMatchObject({ recordingId: rec, state: 'recording', consent: 'granted' });
    expect(await incidents(callId)).toEqual([]);
    expect(incidentsCounted()).toBe(0);
  });

  it.each([
    ['no consent on record', async () => randomUUID(), 'no_consent'],
    [
      'after a refusal',
      async () => {
        const callId = randomUUID();
        await tool(callId, 'get_recording_consent', { response: 'no' });
        return callId;
      },
      'after_refusal',
    ],
    [
      'after a withdrawal',
      async () => {
        const callId = randomUUID();
        await tool(callId, 'get_recording_consent', { response: 'yes' });
        await tool(callId, 'stop_recording');
        return callId;
      },
      'after_withdrawal',
    ],
    [
      'while a secure tool collects data',
      async () => {
        const callId = randomUUID();
        await tool(callId, 'get_recording_consent', { response: 'yes' });
        await tool(callId, 'collect_ssn');
        return callId;
      },
      'while_collecting',
    ],
  ] as const)(
    'a recording callback %s is an incident: audited with its recording_id, counted once',
    async (_label, setup, reason) => {
      const callId = await setup();
      const rec = randomUUID();
      await callback(callId, 'recording', rec);
      await callback(callId, 'recording', rec); // a replay counts nothing twice
      expect(await incidents(callId)).toEqual([expect.objectContaining({ reason, recordingId: rec, controlId: 'main' })]);
      expect(incidentsCounted()).toBe(1);
    },
  );

  it('a second recording beside the running one is an incident, and its finish does not free the first', async () => {
    const callId = await grantedAndIdle();
    await tool(callId, 'resume_recording');
    const [a, b] = [randomUUID(), randomUUID()];
    await callback(callId, 'recording', a);
    await callback(callId, 'recording', b);
    expect(await incidents(callId)).toEqual([expect.objectContaining({ reason: 'second_recording', recordingId: b })]);
    await callback(callId, 'finished', b);
    expect(await store.inner.getRecordingControl(callId, 'main')).toMatchObject({ status: 'recording', recordingId: a });
  });

  it('a segment finishing after a withdrawal is flagged in its metadata; unconfirmed ones are incidents', async () => {
    const callId = randomUUID();
    await tool(callId, 'get_recording_consent', { response: 'yes' });
    const covered = randomUUID();
    await callback(callId, 'recording', covered);
    await tool(callId, 'stop_recording');
    await callback(callId, 'finished', covered);
    const stranger = randomUUID();
    await callback(callId, 'finished', stranger);
    const metadata = deps.metadata as InMemoryRecordingStore;
    const docs = [...metadata.objects.values()].map((text) => JSON.parse(text) as { recordingId: string; consent: unknown });
    const byId = new Map(docs.map((d) => [d.recordingId, d.consent]));
    expect(byId.get(covered)).toMatchObject({ state: 'withdrawn', finishedAfterWithdrawal: 'started_with_consent' });
    expect(byId.get(stranger)).toMatchObject({ state: 'withdrawn', finishedAfterWithdrawal: 'unconfirmed' });
    expect(await incidents(callId)).toEqual([
      expect.objectContaining({ reason: 'finished_after_withdrawal', recordingId: stranger }),
    ]);
    expect(incidentsCounted()).toBe(1);
  });
});

type Command =
  | { kind: 'tool'; index: number; fault: boolean }
  | { kind: 'deliver'; pick: number; fault: boolean }
  | { kind: 'rogue'; fault: boolean };

const ALL_TOOLS: ReadonlyArray<[string, Args]> = [
  ...START_TOOLS,
  ...STOP_TOOLS,
  ['ssn_received', { ssn: '12' }],
  ['get_recording_consent', { response: 'okay' }],
  ['recording_info', {}],
];

describe('property (issue #11 points 2–3)', () => {
  it('random tool calls and status callbacks, in any order, with storage faults: never record_call without granted consent, never two recordings, never one while a secure tool collects, every incident counted', async () => {
    const command: fc.Arbitrary<Command> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({ kind: fc.constant('tool' as const), index: fc.nat(ALL_TOOLS.length - 1), fault: fc.boolean() }),
      },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(), fault: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('rogue' as const), fault: fc.boolean() }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        store = new FlakyConsentStore();
        useConsentStoreForTests(store);
        deps = ingestDeps();
        metricSpy.mockClear();
        const callId = randomUUID();
        // SignalWire as the simulation sees it: the segment running under "main", and the callbacks it owes us.
        let running: { id: string; segment: number | undefined } | undefined;
        const pending: Array<{ id: string; state: 'recording' | 'finished'; segment: number | undefined }> = [];
        let expectedIncidents = 0;
        const deliver = async (id: string, state: 'recording' | 'finished', segment: number | undefined, fault: boolean) => {
          const consent = await store.inner.getConsent(callId).catch(() => undefined);
          const control = await store.inner.getRecordingControl(callId, 'main').catch(() => undefined);
          const trail = await store.inner.listEvents(callId);
          store.down = fault;
          try {
            await callback(callId, state, id, segment);
          } catch {
            return false; // 503: SignalWire retries later
          } finally {
            store.down = false;
          }
          if (state === 'recording') {
            const reasons = [
              consent?.state !== 'granted',
              control?.collecting === true,
              control !== undefined &&
                control.status !== 'idle' &&
                control.recordingId !== undefined &&
                control.recordingId !== id &&
                !control.ended.includes(id),
            ].filter(Boolean).length;
            // Incidents are one per recording and reason: a segment's earlier `finished_after_withdrawal` is another one.
            const known = trail.filter(
              (e) =>
                e.type === 'recording_incident' &&
                e.detail?.recordingId === id &&
                e.detail?.reason !== 'finished_after_withdrawal',
            ).length;
            expectedIncidents += Math.max(0, reasons - known);
          } else if (consent?.state === 'withdrawn') {
            // A segment finishing after a withdrawal that SignalWire never confirmed running under consent.
            const confirmedUnderConsent = trail.some(
              (e) =>
                e.type === 'recording_confirmed' &&
                e.detail?.recordingId === id &&
                e.detail?.state === 'recording' &&
                e.detail?.consent === 'granted',
            );
            if (!confirmedUnderConsent) expectedIncidents += 1;
          }
          return true;
        };
        for (const c of commands) {
          if (c.kind === 'tool') {
            const [name, args] = ALL_TOOLS[c.index] as [string, Args];
            store.down = c.fault;
            let response: SwaigResponse;
            try {
              response = await tool(callId, name, args);
            } finally {
              store.down = false;
            }
            for (const v of verbs(response)) {
              if (v.verb === 'record_call') {
                expect(v.params.control_id).toBe('main');
                expect((await store.inner.getConsent(callId))?.state).toBe('granted');
                expect(running).toBeUndefined(); // never two recordings on the call
                running = { id: randomUUID(), segment: segmentOf(v) };
                pending.push({ ...running, state: 'recording' });
              } else if (running) {
                pending.push({ ...running, state: 'finished' });
                running = undefined;
              }
            }
          } else if (c.kind === 'deliver' && pending.length > 0) {
            const i = c.pick % pending.length;
            const next = pending[i] as (typeof pending)[number];
            if (await deliver(next.id, next.state, next.segment, c.fault)) pending.splice(i, 1);
          } else if (c.kind === 'rogue') {
            await deliver(randomUUID(), 'recording', undefined, c.fault);
          }
          const control = await store.inner.getRecordingControl(callId, 'main');
          if (control?.collecting) expect(running).toBeUndefined();
          expect(incidentsCounted()).toBe(expectedIncidents);
          const audited = (await store.inner.listEvents(callId)).filter((e) => e.type === 'recording_incident').length;
          expect(audited).toBe(expectedIncidents);
        }
      }),
      {
        numRuns: 100,
        examples: [
          [
            [
              { kind: 'tool', index: 0, fault: false },
              { kind: 'tool', index: 6, fault: false },
              { kind: 'deliver', pick: 367134975, fault: false },
              { kind: 'deliver', pick: 0, fault: false },
            ],
          ],
        ],
      },
    );
  }, 120_000);
});
