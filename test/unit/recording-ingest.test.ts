import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { InMemoryConsentStore } from '../../shared/consent/memory-consent-store.js';
import type { ConsentStore } from '../../shared/consent/types.js';
import { isAppError } from '../../shared/http/errors.js';
import { metrics, MetricName } from '../../shared/observability/metrics.js';
import { ingestRecordingWebhook, type IngestDeps } from '../../shared/recordings/ingest.js';
import { InMemoryIngestLedger, type IngestLedger } from '../../shared/recordings/ingest-ledger.js';
import { InMemoryMetadataStore } from '../../shared/recordings/memory-metadata-store.js';
import type { RecordingMetadata } from '../../shared/recordings/metadata.js';
import { InProcessTranscriptionQueue } from '../../shared/recordings/transcription-queue.js';
import { parseRecordingWebhook, type RecordingEvent } from '../../shared/recordings/webhook.js';
import { captureLogs } from '../support/logs.js';

// Unit level: in-memory consent store, metadata store and ledger; InProcessTranscriptionQueue
// stands in for SQS. The same scenarios run against the emulators in test/integration/recording-*.

const CALL = '6e1d2c3b-4a59-4d6e-8f70-8192a3b4c5d6';
const REC = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const URL_ = `https://example.signalwire.com/api/v1/recordings/${REC}/download`;

function callback(state: string, extra: Record<string, unknown> = {}): RecordingEvent {
  return parseRecordingWebhook({ event_type: 'calling.call.record', params: { call_id: CALL, control_id: 'main', state, ...extra } });
}
const finished = (url = URL_) => callback('finished', { record: { url, duration: 9, size: 1000, format: 'mp3' } });

interface World {
  deps: IngestDeps;
  consent: InMemoryConsentStore;
  metadata: InMemoryMetadataStore;
  ledger: InMemoryIngestLedger;
  queue: InProcessTranscriptionQueue;
  clock: { now: Date };
}

async function world(options: { consent?: 'granted' | 'none' } = {}): Promise<World> {
  const consent = new InMemoryConsentStore();
  if (options.consent !== 'none') await consent.setConsent(CALL, 'granted', { category: 'affirmative:yes' });
  const metadata = new InMemoryMetadataStore();
  const ledger = new InMemoryIngestLedger();
  const queue = new InProcessTranscriptionQueue();
  const clock = { now: new Date('2026-03-01T10:00:00.000Z') };
  return {
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
    if (isAppError(error)) return error.statusCode;
    throw error;
  }
}

async function assertExactlyOnce(w: World, recordingId = REC): Promise<void> {
  const docs = await w.metadata.listForCall(CALL);
  expect(docs.filter((d) => d.recordingId === recordingId)).toHaveLength(1);
  const stored = (await w.consent.listEvents(CALL)).filter((e) => e.type === 'recording_stored' && e.detail?.recordingId === recordingId);
  expect(stored).toHaveLength(1);
  expect(w.queue.messages.filter((m) => m.recordingId === recordingId)).toHaveLength(1);
}

let metricSpy: MockInstance;
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  metricSpy = vi.spyOn(metrics, 'addMetric');
  logs = captureLogs();
});
afterEach(() => vi.restoreAllMocks());
const metricCount = (name: string): number => metricSpy.mock.calls.filter((c) => c[0] === name).length;

describe('ingestRecordingWebhook: states', () => {
  it.each(['recording', 'paused'])('acknowledges %s without storing anything', async (state) => {
    const w = await world();
    expect(await ingestRecordingWebhook(callback(state), w.deps)).toEqual({ outcome: 'acknowledged' });
    expect(w.metadata.objects.size).toBe(0);
    expect(w.ledger.entries.size).toBe(0);
    expect(w.queue.messages).toHaveLength(0);
    expect((await w.consent.listEvents(CALL)).filter((e) => e.type.startsWith('recording_'))).toHaveLength(0);
  });

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
    for (const e of [callback('recording'), callback('paused'), finished(), callback('recording'), finished(secondUrl), finished()]) {
      await ingestRecordingWebhook(e, w.deps);
    }
    expect((await w.metadata.listForCall(CALL)).map((d) => d.recordingId).sort()).toEqual([REC, second].sort());
    await assertExactlyOnce(w, REC);
    await assertExactlyOnce(w, second);
  });
});

describe('ingestRecordingWebhook: faults mid-way are retried to completion, nothing doubled', () => {
  const faults: Array<[string, (w: World) => void]> = [
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

  it('a 503 body names the dependency, not the internals', async () => {
    const w = await world();
    failOnce(w.metadata, 'put');
    const error = await ingestRecordingWebhook(finished(), w.deps).catch((e: unknown) => e);
    expect(isAppError(error) && error.message).toBe('recording metadata store unavailable, retry later');
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
