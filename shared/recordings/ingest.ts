import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventType, ConsentRecord, ConsentStore } from '../consent/types.js';
import { getConfig } from '../config.js';
import { AppError, isAppError, unavailable } from '../http/errors.js';
import { logger } from '../observability/logger.js';
import { countMetric, MetricName } from '../observability/metrics.js';
import type { IngestLedger, IngestStep, LedgerEntry } from './ingest-ledger.js';
import { buildMetadata, consentSnapshot, expiryFrom, type MetadataSettings } from './metadata.js';
import type { MetadataStore } from './metadata-store.js';
import type { TranscriptionQueue } from './transcription-queue.js';
import type { RecordingEvent } from './webhook.js';

export type IngestOutcome = 'stored' | 'duplicate' | 'acknowledged' | 'audited';

export interface IngestDeps {
  consent: ConsentStore;
  metadata: MetadataStore;
  ledger: IngestLedger;
  queue: TranscriptionQueue;
  now?: () => Date;
  /** Recording settings the metadata reports; defaults from config. */
  settings?: MetadataSettings;
  /**
   * How long a request holds a recording while storing it. Must exceed the function's timeout,
   * so a live request is never overtaken; a crashed one blocks retries only this long.
   */
  leaseMs?: number;
  /** A duplicate that finds the recording in flight re-reads the ledger this often before answering 503. */
  inFlightPolls?: number;
  inFlightPollDelayMs?: number;
}

export const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_IN_FLIGHT_POLLS = 3;
const DEFAULT_IN_FLIGHT_POLL_DELAY_MS = 150;
/** SignalWire (and any HTTP client) may honour it; the lease is short, so a few seconds suffice. */
const RETRY_AFTER_SECONDS = '5';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const AUDIT_TYPE: Record<'no_input' | 'error', AuditEventType> = {
  no_input: 'recording_no_input',
  error: 'recording_error',
};

function retryLater(message: string, cause?: unknown): AppError {
  return new AppError(503, 'unavailable', message, { cause, headers: { 'Retry-After': RETRY_AFTER_SECONDS } });
}

/** Runs one storage call; any fault becomes a 503 (SignalWire retries) with no internals in the body. */
async function guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isAppError(error)) throw error;
    throw unavailable(`${what} unavailable, retry later`, error);
  }
}

function settingsOf(deps: IngestDeps): MetadataSettings {
  if (deps.settings) return deps.settings;
  const config = getConfig();
  return { stereo: config.RECORDING_STEREO, retentionDays: config.RETENTION_DAYS };
}

/** Did an earlier, interrupted attempt already write this audit event? (Makes the append idempotent.) */
function alreadyAudited(events: AuditEvent[], type: AuditEventType, recordingId: string): boolean {
  return events.some((e) => e.type === type && e.detail?.recordingId === recordingId);
}

interface Attempt {
  event: RecordingEvent;
  deps: IngestDeps;
  ledgerId: string;
  owner: string;
  entry: LedgerEntry;
}

/**
 * Claim the ledger entry for this recording (or learn that it is done or in flight).
 * Returns undefined when the recording was already completed.
 */
async function claimOrSettle(event: RecordingEvent, deps: IngestDeps, ledgerId: string): Promise<Attempt | undefined> {
  const now = deps.now ?? (() => new Date());
  const owner = randomUUID();
  const { retentionDays } = settingsOf(deps);
  const polls = deps.inFlightPolls ?? DEFAULT_IN_FLIGHT_POLLS;
  const delay = deps.inFlightPollDelayMs ?? DEFAULT_IN_FLIGHT_POLL_DELAY_MS;
  const claimAt = now();
  const claim = await guarded('ingest ledger', () =>
    deps.ledger.claim(event.callId, ledgerId, {
      owner,
      now: claimAt,
      leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
      expiresAt: Math.floor(expiryFrom(claimAt, retentionDays).getTime() / 1000),
    }),
  );
  if (claim.status === 'claimed') return { event, deps, ledgerId, owner, entry: claim.entry };
  if (claim.status === 'completed') return undefined;
  // Another request is storing this very recording. It usually finishes within a few hundred
  // milliseconds, so wait briefly and answer "duplicate"; if it does not, answer 503: the
  // retry finds it completed, or (if that request crashed) takes over once its lease lapses.
  for (let i = 0; i < polls; i += 1) {
    await sleep(delay);
    const entry = await guarded('ingest ledger', () => deps.ledger.get(event.callId, ledgerId));
    if (entry?.completed) return undefined;
  }
  logger.warn('recording ingest in flight elsewhere; asking the sender to retry', { recording_id: event.recordingId });
  throw retryLater('recording is being stored by another request, retry later');
}

async function mark(a: Attempt, step: IngestStep, facts?: { consent?: string; metadataKey?: string }): Promise<void> {
  await guarded('ingest ledger', () => a.deps.ledger.markStep(a.event.callId, a.ledgerId, a.owner, step, facts));
}

/** Each step runs only if an earlier attempt did not finish it; a failure leaves the rest for the retry. */
async function storeFinished(a: Attempt): Promise<void> {
  const { event, deps, entry } = a;
  const url = event.url;
  if (url === undefined) throw new Error('finished recording without url (parser invariant)');
  let consentState = entry.consent;
  let key = entry.metadataKey;

  if (!entry.steps.metadataStored || !consentState || !key) {
    const consent: ConsentRecord | undefined = await guarded('consent store', () => deps.consent.getConsent(event.callId));
    const snapshot = consentSnapshot(consent);
    const metadata = buildMetadata({ ...event, url }, snapshot, new Date(entry.receivedAt), settingsOf(deps));
    key = await guarded('recording metadata store', () => deps.metadata.put(metadata));
    consentState = snapshot === 'missing' ? 'missing' : snapshot.state;
    await mark(a, 'metadataStored', { consent: consentState, metadataKey: key });
    if (snapshot === 'missing') {
      // A recording exists for a call without granted consent: a compliance incident, not noise.
      countMetric(MetricName.RecordingWithoutConsent);
      logger.error('recording stored without granted consent', {
        recording_id: event.recordingId,
        consent_state: consent?.state ?? 'none',
        incident: 'recording_without_consent',
      });
    }
  }

  if (!entry.steps.auditWritten) {
    const events = await guarded('consent store', () => deps.consent.listEvents(event.callId));
    if (!alreadyAudited(events, 'recording_stored', event.recordingId)) {
      await guarded('consent store', () =>
        deps.consent.appendEvent(event.callId, {
          type: 'recording_stored',
          detail: {
            recordingId: event.recordingId,
            consent: consentState ?? 'missing',
            ...(event.controlId === undefined ? {} : { controlId: event.controlId }),
            ...(event.durationSeconds === undefined ? {} : { durationSeconds: event.durationSeconds }),
          },
        }),
      );
    }
    await mark(a, 'auditWritten');
  }

  if (!entry.steps.queued) {
    const metadataKey = key;
    await guarded('transcription queue', () =>
      deps.queue.enqueue({ callId: event.callId, recordingId: event.recordingId, metadataKey }),
    );
    await mark(a, 'queued');
  }
}

async function auditTerminalFailure(a: Attempt, state: 'no_input' | 'error'): Promise<void> {
  const { event, deps } = a;
  const type = AUDIT_TYPE[state];
  const events = await guarded('consent store', () => deps.consent.listEvents(event.callId));
  if (!alreadyAudited(events, type, event.recordingId)) {
    await guarded('consent store', () =>
      deps.consent.appendEvent(event.callId, {
        type,
        detail: { recordingId: event.recordingId, ...(event.controlId === undefined ? {} : { controlId: event.controlId }) },
      }),
    );
  }
  await mark(a, 'auditWritten');
}

/** Run the steps under the lease; on any failure hand the lease back so the retry can go at once. */
async function underLease(a: Attempt, work: (a: Attempt) => Promise<void>): Promise<void> {
  try {
    await work(a);
    await guarded('ingest ledger', () => a.deps.ledger.complete(a.event.callId, a.ledgerId, a.owner));
  } catch (error) {
    await a.deps.ledger.release(a.event.callId, a.ledgerId, a.owner).catch(() => undefined);
    if (isAppError(error)) throw error;
    // LeaseLostError (we were overtaken) or a bug: either way the sender should retry.
    throw retryLater('recording ingest interrupted, retry later', error);
  }
}

/**
 * Ingest one recording status callback, exactly once per recording.
 *
 * - `recording` / `paused`: acknowledged and logged; nothing is stored.
 * - `no_input` / `error`: one audit event per recording, however often the callback arrives.
 * - `finished`: metadata object in S3, a `recording_stored` audit event and one transcription
 *   job, each exactly once under replays, concurrent duplicates and faults mid-way
 *   (see {@link IngestLedger}); a replay of a completed recording answers `duplicate`.
 *
 * Storage faults throw a 503 {@link AppError} so SignalWire retries; consent that is not granted
 * still stores the recording (it exists at SignalWire either way) flagged `consent: 'missing'`.
 */
export async function ingestRecordingWebhook(
  event: RecordingEvent,
  deps: IngestDeps,
): Promise<{ outcome: IngestOutcome }> {
  const context = { recording_id: event.recordingId, state: event.state, shape: event.shape };
  if (event.state === 'recording' || event.state === 'paused') {
    logger.info('recording status acknowledged', context);
    return { outcome: 'acknowledged' };
  }

  const terminalFailure = event.state === 'no_input' || event.state === 'error' ? event.state : undefined;
  // no_input/error get their own ledger entry: a later `finished` for the same id stays independent.
  const ledgerId = terminalFailure ? `${event.recordingId}#${terminalFailure}` : event.recordingId;
  const attempt = await claimOrSettle(event, deps, ledgerId);
  if (!attempt) {
    countMetric(MetricName.WebhookDuplicate);
    logger.info('recording status duplicate', context);
    return { outcome: 'duplicate' };
  }

  if (terminalFailure) {
    await underLease(attempt, (a) => auditTerminalFailure(a, terminalFailure));
    logger.warn('recording ended without a file', context);
    return { outcome: 'audited' };
  }

  await underLease(attempt, storeFinished);
  countMetric(MetricName.RecordingStored);
  logger.info('recording stored', { ...context, attempts: attempt.entry.attempts });
  return { outcome: 'stored' };
}
