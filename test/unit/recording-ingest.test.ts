import { itemsWriteGate } from '#test/support/items-write-gate.js';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { InMemoryConsentStore } from '#shared/consent/memory-consent-store.js';
import type { ConsentStore } from '#shared/consent/types.js';
import { RetryableError } from '#shared/errors.js';
import { httpErrorOf } from '#shared/http/errors.js';
import { metrics, MetricName } from '#shared/observability/metrics.js';
import { ingestRecordingWebhook, type IngestDeps } from '#shared/recordings/ingest.js';
import { InMemoryIngestLedger, type IngestLedger } from '#shared/recordings/ingest-ledger.js';
import { InMemoryRecordingStore } from '#shared/recordings/memory-recording-store.js';
import type { RecordingMetadata } from '#shared/recordings/metadata.js';
import { InProcessJobQueue } from '#shared/recordings/job-queue.js';
import type { IngestCallData } from '#shared/recordings/ingest-protection.js';
import type { StoredItem } from '#shared/storage/call-data.js';
import { LEGAL_HOLD_EXPIRES_AT } from '#shared/storage/layout.js';
import { SignalWireRecordings } from '#shared/signalwire/recordings.js';
import { parseRecordingWebhook, type RecordingEvent } from '#shared/recordings/webhook.js';
import { captureLogs } from '#test/support/logs.js';

// Unit level: in-memory consent store, metadata store and ledger; InProcessJobQueue
// stands in for SQS. The same scenarios run against the emulators in test/integration/recording-*.

const CALL = '6e1d2c3b-4a59-4d6e-8f70-8192a3b4c5d6';
const REC = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const URL_ = `https://example.signalwire.com/api/v1/recordings/${REC}/download`;

function callback(state: string, extra: Record<string, unknown> = {}): RecordingEvent {
  return parseRecordingWebhook({
    event_type: 'calling.call.record',
    params: { call_id: CALL, control_id: 'main', state, ...extra },
  });
}
const finished = (url = URL_) => callback('finished', { record: { url, duration: 9, size: 1000, format: 'mp3' } });

/**
 * In-memory stand-in for shared/privacy's CallDataStore, limited to what ingest uses (the real
 * adapter runs against the emulators in test/integration/recording-hold-erasure.test.ts). Its
 * items are the call's table items as privacy sees them: tests plant a hold marker or tombstone.
 */
class InMemoryCallData implements IngestCallData {
  readonly items: StoredItem[] = [];
  readonly objects = new Map<string, { document: unknown; retention: boolean }>();

  async listItems(): Promise<StoredItem[]> {
    return structuredClone(this.items);
  }
  async setItemExpiry(_callId: string, sk: string, expiresAt: number): Promise<void> {
    const item = this.items.find((i) => i.sk === sk);
    if (item) item.attributes.expiresAt = expiresAt;
  }
  async putJson(key: string, document: unknown, options: { retention: boolean }): Promise<void> {
    this.objects.set(key, { document: structuredClone(document), retention: options.retention });
  }
  hold(): void {
    this.items.push({
      sk: 'LEGAL_HOLD',
      attributes: { since: '2026-02-01T00:00:00.000Z', reason: 'case-7', requestedBy: 'legal' },
    });
  }
  erase(): void {
    this.items.push({ sk: 'EVENT#2026-02-02T00:00:00.000Z#0', attributes: { type: 'erased', expiresAt: 1 } });
  }
}

interface World {
  callData: InMemoryCallData;
  deps: IngestDeps;
  consent: InMemoryConsentStore;
  metadata: InMemoryRecordingStore;
  ledger: InMemoryIngestLedger;
  queue: InProcessJobQueue;
  clock: { now: Date };
}

async function world(options: { consent?: 'granted' | 'none' } = {}): Promise<World> {
  const consent = new InMemoryConsentStore();
  if (options.consent !== 'none') await consent.setConsent(CALL, 'granted', { category: 'affirmative:yes' });
  const metadata = new InMemoryRecordingStore();
  const ledger = new InMemoryIngestLedger();
  const queue = new InProcessJobQueue();
  const clock = { now: new Date('2026-03-01T10:00:00.000Z') };
  const callData = new InMemoryCallData();
  return {
    callData,
    consent,
    metadata,
    ledger,
    queue,
    clock,
    deps: {
      consent,
      metadata,
      ledger,
      queue,
      callData,
      gate: itemsWriteGate(callData),
      now: () => clock.now,
      settings: { stereo: true, retentionDays: 90 },
      inFlightPolls: 2,
      inFlightPollDelayMs: 1,
    },
  };
}

/** Make `method` of `target` throw once (a storage fault), on its nth call (1-based). */
function failOnce<T extends object>(target: T, method: keyof T & string, nth = 1): void {
  const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
  let calls = 0;
  (target as Record<string, unknown>)[method] = async (...args: unknown[]) => {
    calls += 1;
    if (calls === nth) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'NetworkingError' });
    return original(...args);
  };
}

async function status(work: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    return httpErrorOf(error).statusCode;
  }
}

async function assertExactlyOnce(w: World, recordingId = REC): Promise<void> {
  const docs = await w.metadata.listForCall(CALL);
  expect(docs.filter((d) => d.recordingId === recordingId)).toHaveLength(1);
  const stored = (await w.consent.listEvents(CALL)).filter(
    (e) => e.type === 'recording_stored' && e.detail?.recordingId === recordingId,
  );
  expect(stored).toHaveLength(1);
  expect(w.queue.messages.filter((m) => m.recordingId === recordingId)).toHaveLength(1);
}

let metricSpy: MockInstance;
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  metricSpy = vi.spyOn(metrics(), 'addMetric');
  logs = captureLogs();
});
afterEach(() => vi.restoreAllMocks());
const metricCount = (name: string): number => metricSpy.mock.calls.filter((c) => c[0] === name).length;

describe('ingestRecordingWebhook: states', () => {
  it.each(['recording', 'paused'])(
    'acknowledges %s: stores no recording, audits the confirmation with its recording_id',
    async (state) => {
      const w = await world();
      expect(await ingestRecordingWebhook(callback(state), w.deps)).toEqual({ outcome: 'acknowledged' });
      expect(w.metadata.objects.size).toBe(0);
      expect(w.ledger.entries.size).toBe(0);
      expect(w.queue.messages).toHaveLength(0);
      const events = (await w.consent.listEvents(CALL)).filter((e) => e.type.startsWith('recording_'));
      expect(events).toEqual([
        expect.objectContaining({ type: 'recording_confirmed', detail: expect.objectContaining({ state, consent: 'granted' }) }),
      ]);
      expect(events[0]?.detail?.recordingId).toEqual(expect.any(String));
      // The server now knows a recording runs under the control id.
      expect((await w.consent.getRecordingControl(CALL, 'main'))?.status).toBe(state);
    },
  );

  it('stores a finished recording: metadata, one audit event, one transcription job, one metric', async () => {
    // Prepare
    const w = await world();
    // Act
    const result = await ingestRecordingWebhook(finished(), w.deps);
    // Assess
    expect(result).toEqual({ outcome: 'stored' });
    const doc = (await w.metadata.get(CALL, REC)) as RecordingMetadata;
    expect(doc).toMatchObject({ callId: CALL, recordingId: REC, url: URL_, durationSeconds: 9, format: 'mp3', stereo: true });
    expect(doc.consent).toMatchObject({ state: 'granted' });
    expect(doc.receivedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(w.queue.messages).toEqual([{ callId: CALL, recordingId: REC, metadataKey: `recordings/${CALL}/${REC}.json` }]);
    const audit = (await w.consent.listEvents(CALL)).filter((e) => e.type === 'recording_stored');
    expect(audit).toHaveLength(1);
    expect(audit[0]?.detail).toMatchObject({ recordingId: REC, consent: 'granted', controlId: 'main' });
    expect(metricCount(MetricName.RecordingStored)).toBe(1);
  });

  it.each([
    ['no_input', 'recording_no_input'],
    ['error', 'recording_error'],
  ] as const)('%s becomes exactly one %s audit event', async (state, type) => {
    const w = await world();
    const outcomes = [];
    for (let i = 0; i < 5; i += 1) outcomes.push((await ingestRecordingWebhook(callback(state), w.deps)).outcome);
    expect(outcomes).toEqual(['audited', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect((await w.consent.listEvents(CALL)).filter((e) => e.type === type)).toHaveLength(1);
    expect(w.metadata.objects.size).toBe(0);
    expect(w.queue.messages).toHaveLength(0);
  });
});

describe('ingestRecordingWebhook: exactly once', () => {
  it('100 sequential replays store once and answer duplicate 99 times', async () => {
    const w = await world();
    const outcomes: string[] = [];
    for (let i = 0; i < 100; i += 1) outcomes.push((await ingestRecordingWebhook(finished(), w.deps)).outcome);
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(99);
    expect(metricCount(MetricName.WebhookDuplicate)).toBe(99);
    await assertExactlyOnce(w);
  });

  it('20 concurrent duplicates store once; the rest answer duplicate or 503 (retry)', async () => {
    const w = await world();
    const results = await Promise.all(Array.from({ length: 20 }, () => status(ingestRecordingWebhook(finished(), w.deps))));
    expect(results.every((r) => r === 'ok' || r === 503)).toBe(true);
    await assertExactlyOnce(w);
  });

  it('two segments of one call (pause/resume with the same control_id) are two recordings', async () => {
    const w = await world();
    const second = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
    const secondUrl = `https://example.signalwire.com/api/v1/recordings/${second}/download`;
    for (const e of [
      callback('recording'),
      callback('paused'),
      finished(),
      callback('recording'),
      finished(secondUrl),
      finished(),
    ]) {
      await ingestRecordingWebhook(e, w.deps);
    }
    expect((await w.metadata.listForCall(CALL)).map((d) => d.recordingId).sort()).toEqual([REC, second].sort());
    await assertExactlyOnce(w, REC);
    await assertExactlyOnce(w, second);
  });
});

describe('ingestRecordingWebhook: faults mid-way are retried to completion, nothing doubled', () => {
  const faults: Array<[string, (w: World) => void]> = [
    ['write gate', (w) => failOnce(w.callData, 'listItems')],
    ['ledger claim', (w) => failOnce(w.ledger as IngestLedger, 'claim')],
    ['consent read', (w) => failOnce(w.consent as ConsentStore, 'getConsent')],
    ['metadata put', (w) => failOnce(w.metadata, 'put')],
    ['mark after metadata put', (w) => failOnce(w.ledger as IngestLedger, 'markStep', 1)],
    ['audit list', (w) => failOnce(w.consent as ConsentStore, 'listEvents')],
    ['audit append', (w) => failOnce(w.consent as ConsentStore, 'appendEvent')],
    // The audit event is written, then the process "crashes" before the flag: the retry must find it.
    ['mark after audit append', (w) => failOnce(w.ledger as IngestLedger, 'markStep', 2)],
    ['queue send', (w) => failOnce(w.queue, 'enqueue')],
    ['completion mark', (w) => failOnce(w.ledger as IngestLedger, 'complete')],
  ];

  it.each(faults)('fault at %s → 503, retry → stored once', async (_name, inject) => {
    // Prepare
    const w = await world();
    inject(w);
    // Act
    const first = await status(ingestRecordingWebhook(finished(), w.deps));
    const retry = await ingestRecordingWebhook(finished(), w.deps);
    const replay = await ingestRecordingWebhook(finished(), w.deps);
    // Assess
    expect(first).toBe(503);
    expect(retry.outcome).toBe('stored');
    expect(replay.outcome).toBe('duplicate');
    await assertExactlyOnce(w);
  });

  it('a request that crashed holding the lease blocks retries only until the lease lapses', async () => {
    const w = await world();
    // A request claimed the recording and died before doing anything (no release).
    await w.ledger.claim(CALL, REC, { owner: 'crashed', now: w.clock.now, leaseMs: 30_000, expiresAt: 0 });
    expect(await status(ingestRecordingWebhook(finished(), w.deps))).toBe(503);
    w.clock.now = new Date(w.clock.now.getTime() + 31_000);
    expect((await ingestRecordingWebhook(finished(), w.deps)).outcome).toBe('stored');
    await assertExactlyOnce(w);
  });

  it('a request overtaken after its lease lapsed stops at the next step (fencing)', async () => {
    const w = await world();
    const claimed = await w.ledger.claim(CALL, REC, { owner: 'slow', now: w.clock.now, leaseMs: 1000, expiresAt: 0 });
    expect(claimed.status).toBe('claimed');
    w.clock.now = new Date(w.clock.now.getTime() + 2000);
    expect((await ingestRecordingWebhook(finished(), w.deps)).outcome).toBe('stored');
    await expect(w.ledger.markStep(CALL, REC, 'slow', 'queued')).rejects.toThrow(/lease lost/);
  });

  it('consent store unreachable → 503 and nothing stored', async () => {
    const w = await world();
    w.deps.consent = Object.assign(Object.create(w.consent) as ConsentStore, {
      getConsent: async () => {
        throw new Error('consent store down');
      },
    });
    expect(await status(ingestRecordingWebhook(finished(), w.deps))).toBe(503);
    expect(w.metadata.objects.size).toBe(0);
    expect(w.queue.messages).toHaveLength(0);
  });

  it('a fault names the dependency for the logs; the caller sees a fixed 503 message with Retry-After', async () => {
    const w = await world();
    failOnce(w.metadata, 'put');
    const error = await ingestRecordingWebhook(finished(), w.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toBe('recording metadata store unavailable');
    const answer = httpErrorOf(error);
    expect(answer).toMatchObject({ statusCode: 503, code: 'unavailable', message: 'temporarily unavailable, retry later' });
    expect(answer.headers['Retry-After']).toBe('5');
  });
});

describe('ingestRecordingWebhook: recording without consent is an incident', () => {
  it('stores it flagged consent: missing, counts the metric and logs an error', async () => {
    const w = await world({ consent: 'none' });
    expect((await ingestRecordingWebhook(finished(), w.deps)).outcome).toBe('stored');
    expect((await w.metadata.get(CALL, REC))?.consent).toBe('missing');
    expect(metricCount(MetricName.RecordingWithoutConsent)).toBe(1);
    const errors = logs.lines().filter((l) => l.includes('"level":"ERROR"'));
    expect(errors.some((l) => l.includes('recording_without_consent'))).toBe(true);
    const audit = (await w.consent.listEvents(CALL)).find((e) => e.type === 'recording_stored');
    expect(audit?.detail?.consent).toBe('missing');
  });
});

describe('ingestRecordingWebhook: legal hold', () => {
  const heldKey = `legal-hold/${CALL}/recordings/${REC}.json`;

  it("a held call's recording lands under legal-hold/ untagged with expiresAt null; replays stay duplicates", async () => {
    // Prepare
    const w = await world();
    w.callData.hold();
    // Act
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i += 1) outcomes.push((await ingestRecordingWebhook(finished(), w.deps)).outcome);
    // Assess
    expect(outcomes).toEqual(['stored', 'duplicate', 'duplicate']);
    expect(w.metadata.objects.size).toBe(0); // nothing under recordings/
    expect([...w.callData.objects.keys()]).toEqual([heldKey]);
    const held = w.callData.objects.get(heldKey);
    expect(held?.retention).toBe(false);
    expect(held?.document).toMatchObject({
      callId: CALL,
      recordingId: REC,
      expiresAt: null,
      legalHold: { since: '2026-02-01T00:00:00.000Z', reason: 'case-7' },
      consent: { state: 'granted' },
    });
    expect(w.queue.messages).toEqual([{ callId: CALL, recordingId: REC, metadataKey: heldKey }]);
    expect((await w.consent.listEvents(CALL)).filter((e) => e.type === 'recording_stored')).toHaveLength(1);
  });

  it('pins the call\'s items to the hold\'s "never" expiry', async () => {
    const w = await world();
    w.callData.hold();
    w.callData.items.push({ sk: 'EVENT#late', attributes: { type: 'recording_stored', expiresAt: 1_800_000_000 } });
    await ingestRecordingWebhook(finished(), w.deps);
    expect(w.callData.items.find((i) => i.sk === 'EVENT#late')?.attributes.expiresAt).toBe(LEGAL_HOLD_EXPIRES_AT);
    expect(w.callData.items.find((i) => i.sk === 'LEGAL_HOLD')?.attributes.expiresAt).toBeUndefined();
  });

  it('hold beats erasure: a held call with a tombstone still stores, under legal-hold/', async () => {
    const w = await world();
    w.callData.erase();
    w.callData.hold();
    expect((await ingestRecordingWebhook(finished(), w.deps)).outcome).toBe('stored');
    expect(w.callData.objects.has(heldKey)).toBe(true);
  });
});

describe('ingestRecordingWebhook: a callback after the call was erased', () => {
  const UUID = REC; // the recording URL's uuid is SignalWire's id for it

  function signalWireStub(status: number): { client: SignalWireRecordings; calls: string[] } {
    const calls: string[] = [];
    // A fetch double: no SignalWire exists in unit tests (integration tests use a local HTTP stand-in).
    const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${String(input)}`);
      return new Response(null, { status });
    }) as typeof fetch;
    return {
      client: new SignalWireRecordings(
        { spaceUrl: 'https://space.example', projectId: 'p', apiToken: 't' },
        { fetch: fetchImpl },
      ),
      calls,
    };
  }

  function assertNothingStored(w: World): void {
    expect(w.metadata.objects.size).toBe(0);
    expect(w.callData.objects.size).toBe(0);
    expect(w.ledger.entries.size).toBe(0);
    expect(w.queue.messages).toHaveLength(0);
  }

  it('stores nothing, audits nothing, answers discarded_erased, every time', async () => {
    // Prepare
    const w = await world();
    w.callData.erase();
    const eventsBefore = (await w.consent.listEvents(CALL)).length;
    // Act
    const outcomes = [];
    for (const e of [finished(), finished(), callback('no_input'), callback('error')])
      outcomes.push((await ingestRecordingWebhook(e, w.deps)).outcome);
    // Assess
    expect(outcomes).toEqual(['discarded_erased', 'discarded_erased', 'discarded_erased', 'discarded_erased']);
    assertNothingStored(w);
    expect(await w.consent.listEvents(CALL)).toHaveLength(eventsBefore);
    const warning = logs.lines().find((l) => l.includes('erased call discarded'));
    expect(warning).toContain(CALL);
    expect(logs.text()).not.toContain(URL_);
  });

  it("deletes SignalWire's copy when credentials are configured (404 counts as done)", async () => {
    const w = await world();
    w.callData.erase();
    const deleted = signalWireStub(204);
    w.deps.signalwire = deleted.client;
    expect((await ingestRecordingWebhook(finished(), w.deps)).outcome).toBe('discarded_erased');
    expect(deleted.calls).toEqual([`DELETE https://space.example/api/relay/rest/recordings/${UUID}`]);
    w.deps.signalwire = signalWireStub(404).client;
    expect((await ingestRecordingWebhook(finished(), w.deps)).outcome).toBe('discarded_erased');
    assertNothingStored(w);
  });

  it('SignalWire not confirming the delete → 503 (their retry tries again), still nothing stored', async () => {
    const w = await world();
    w.callData.erase();
    w.deps.signalwire = signalWireStub(500).client;
    expect(await status(ingestRecordingWebhook(finished(), w.deps))).toBe(503);
    assertNothingStored(w);
  });

  it('recording/paused callbacks are acknowledged and write nothing about the erased call', async () => {
    const w = await world();
    const before = await w.consent.listEvents(CALL);
    w.callData.erase();
    expect((await ingestRecordingWebhook(callback('recording'), w.deps)).outcome).toBe('acknowledged');
    expect((await ingestRecordingWebhook(callback('paused'), w.deps)).outcome).toBe('acknowledged');
    expect(await w.consent.listEvents(CALL)).toEqual(before);
    expect(await w.consent.getRecordingControl(CALL, 'main')).toBeUndefined();
  });
});
