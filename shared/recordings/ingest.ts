import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventType, ConsentRecord, ConsentStore } from '#shared/consent/types.js';
import { nowOf } from '#shared/clock.js';
import { getConfig } from '#shared/config.js';
import { RetryableError } from '#shared/errors.js';
import { isAppError } from '#shared/http/errors.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { LEGAL_HOLD_EXPIRES_AT } from '#shared/storage/layout.js';
import type { SignalWireRecordings } from '#shared/signalwire/recordings.js';
import type { WriteGate } from '#shared/storage/write-gate.js';
import { SignalWireDeleteError } from '#shared/signalwire/recordings.js';
import type { IngestLedger, IngestStep, LedgerEntry } from './ingest-ledger.js';
import {
  callProtection,
  deleteSignalWireCopy,
  pinHeldItems,
  putHeldMetadata,
  type CallProtection,
  type IngestCallData,
  type SignalWireCopy,
} from './ingest-protection.js';
import {
  buildMetadata,
  consentSnapshot,
  type ConsentSnapshot,
  type MetadataSettings,
  type RecordingMetadata,
} from './metadata.js';
import { reconcileRecordingCallback, reportIncident } from './recording-callbacks.js';
import { expiryFrom } from '#shared/storage/layout.js';
import type { RecordingStore } from './recording-store.js';
import type { RecordingJobQueue } from './job-queue.js';
import type { RecordingEvent } from './webhook.js';

export type IngestOutcome = 'stored' | 'duplicate' | 'acknowledged' | 'audited' | 'discarded_erased';

export interface IngestDeps {
  consent: ConsentStore;
  metadata: RecordingStore;
  ledger: IngestLedger;
  queue: RecordingJobQueue;
  /**
   * The call's table items and held objects, through shared/privacy's port: legal hold and
   * erasure are read from it, and a held call's metadata is written through it.
   */
  callData: IngestCallData;
  /**
   * The call's write gate (shared/storage/write-gate.ts): a callback stores only inside it, so
   * an erasure, hold or release waits for it to finish and never misses what it wrote.
   */
  gate: WriteGate;
  /** SignalWire's recordings API, when project credentials are configured (see {@link deleteSignalWireCopy}). */
  signalwire?: SignalWireRecordings;
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

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_IN_FLIGHT_POLLS = 3;
const DEFAULT_IN_FLIGHT_POLL_DELAY_MS = 150;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const AUDIT_TYPE: Record<'no_input' | 'error', AuditEventType> = {
  no_input: 'recording_no_input',
  error: 'recording_error',
};

/** Runs one storage call; any fault is retryable (a 503 at the edge, so SignalWire retries) and names the dependency for the logs. */
async function guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isAppError(error) || error instanceof RetryableError) throw error;
    throw new RetryableError(`${what} unavailable`, { cause: error });
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
  /** Hold and erasure as read before the claim. */
  protection: CallProtection;
}

function readProtection(deps: IngestDeps, callId: string): Promise<CallProtection> {
  return guarded('call data store', () => callProtection(callId, deps.callData));
}

/**
 * Claim the ledger entry for this recording (or learn that it is done or in flight).
 * Returns undefined when the recording was already completed.
 */
async function claimOrSettle(
  event: RecordingEvent,
  deps: IngestDeps,
  ledgerId: string,
  protection: CallProtection,
): Promise<Attempt | undefined> {
  const owner = randomUUID();
  const { retentionDays } = settingsOf(deps);
  const polls = deps.inFlightPolls ?? DEFAULT_IN_FLIGHT_POLLS;
  const delay = deps.inFlightPollDelayMs ?? DEFAULT_IN_FLIGHT_POLL_DELAY_MS;
  const claimAt = nowOf(deps);
  const claim = await guarded('ingest ledger', () =>
    deps.ledger.claim(event.callId, ledgerId, {
      owner,
      now: claimAt,
      leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
      // A held call's items never expire (the hold pins them; this one is born pinned).
      expiresAt: protection.held ? LEGAL_HOLD_EXPIRES_AT : Math.floor(expiryFrom(claimAt, retentionDays).getTime() / 1000),
    }),
  );
  if (claim.status === 'claimed') return { event, deps, ledgerId, owner, entry: claim.entry, protection };
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
  throw new RetryableError('recording is being stored by another request');
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
    let snapshot = consentSnapshot(consent);
    if (snapshot !== 'missing' && snapshot.state === 'withdrawn') snapshot = await flagAfterWithdrawal(event, deps, snapshot);
    const metadata = buildMetadata({ ...event, url }, snapshot, new Date(entry.receivedAt), settingsOf(deps));
    key = await putMetadata(a, metadata);
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

/**
 * A segment that finished after the caller withdrew consent is never stored quietly as
 * `withdrawn` (issue #11 point 3): the snapshot says so (`finishedAfterWithdrawal`), and unless
 * SignalWire confirmed this very segment running while consent was granted (the segment the
 * withdrawal's stop ended), it is an incident: audited, counted and alarmed.
 */
async function flagAfterWithdrawal(event: RecordingEvent, deps: IngestDeps, snapshot: ConsentSnapshot): Promise<ConsentSnapshot> {
  const trail = await guarded('consent store', () => deps.consent.listEvents(event.callId));
  const covered = trail.some(
    (e) =>
      e.type === 'recording_confirmed' &&
      e.detail?.recordingId === event.recordingId &&
      e.detail?.state === 'recording' &&
      e.detail?.consent === 'granted',
  );
  if (!covered) await guarded('consent store', () => reportIncident(deps.consent, event, 'finished_after_withdrawal', trail));
  return { ...snapshot, finishedAfterWithdrawal: covered ? 'started_with_consent' : 'unconfirmed' };
}

/**
 * The metadata goes where the call's hold says: under legal-hold/ when held, else recordings/.
 * The write gate makes this final: a hold or release waits for this callback to leave the gate
 * before it moves the call's objects, and a callback entering after it sees the new layout.
 */
async function putMetadata(a: Attempt, metadata: RecordingMetadata): Promise<string> {
  const { deps, protection } = a;
  if (protection.held) {
    return guarded('recording metadata store', () => putHeldMetadata(metadata, protection, deps.callData, nowOf(deps)));
  }
  return guarded('recording metadata store', () => deps.metadata.put(metadata));
}

/**
 * Last step under the lease: a held call's items never expire. The consent store pins what it
 * writes inside the gate, and the ledger item is born pinned; this also pins any item written
 * before the hold by an earlier, interrupted attempt.
 */
async function settleProtection(a: Attempt): Promise<void> {
  if (a.protection.held) await guarded('call data store', () => pinHeldItems(a.event.callId, a.deps.callData));
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
    await settleProtection(a);
    await guarded('ingest ledger', () => a.deps.ledger.complete(a.event.callId, a.ledgerId, a.owner));
  } catch (error) {
    await a.deps.ledger.release(a.event.callId, a.ledgerId, a.owner).catch(() => undefined);
    if (isAppError(error) || error instanceof RetryableError) throw error;
    // LeaseLostError (we were overtaken) or a bug: either way the sender should retry.
    throw new RetryableError('recording ingest interrupted', { cause: error });
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
 * Storage faults throw a {@link RetryableError} (503 at the edge) so SignalWire retries; consent that is not granted
 * still stores the recording (it exists at SignalWire either way) flagged `consent: 'missing'`.
 *
 * Everything runs inside the call's write gate (shared/storage/write-gate.ts), entered before
 * anything is written; a fault entering it is a 503 like any other (never store blind):
 * - held: the metadata lands under legal-hold/ as the hold lays it out, and the call's items,
 *   ours included, never expire (see {@link putMetadata});
 * - erased or being erased (the gate refuses us): see {@link discardForErasedCall}.
 */
export async function ingestRecordingWebhook(
  event: RecordingEvent,
  deps: IngestDeps,
  /** `segment` from the status_url's query: which of our record_calls the callback is about (see controlRecordingActions). */
  options: { segment?: number } = {},
): Promise<{ outcome: IngestOutcome }> {
  const context = { recording_id: event.recordingId, state: event.state, shape: event.shape };
  // Before anything else: even the ledger claim is a write, which for an erased call is data re-created.
  const pass = await guarded('call write gate', () => deps.gate.enter(event.callId));
  if (pass === 'erased') {
    if (event.state === 'recording' || event.state === 'paused') {
      // Nothing is written about an erased call, not even its recording state.
      logger.info('recording status acknowledged', context);
      return { outcome: 'acknowledged' };
    }
    return discardForErasedCall(event, deps);
  }
  try {
    return await ingestInsideGate(event, deps, pass.held, options.segment);
  } finally {
    await pass.leave();
  }
}

async function ingestInsideGate(
  event: RecordingEvent,
  deps: IngestDeps,
  held: boolean,
  segment: number | undefined,
): Promise<{ outcome: IngestOutcome }> {
  const context = { recording_id: event.recordingId, state: event.state, shape: event.shape };
  // The hold's marker (since, reason) goes into a held recording's metadata.
  const protection: CallProtection = held
    ? { ...(await readProtection(deps, event.callId)), held: true }
    : { held: false, marker: undefined, erased: false };
  await guarded('consent store', () => reconcileRecordingCallback(event, deps.consent, settingsOf(deps).retentionDays, segment));
  if (event.state === 'recording' || event.state === 'paused') {
    logger.info('recording status acknowledged', context);
    return { outcome: 'acknowledged' };
  }

  const terminalFailure = event.state === 'no_input' || event.state === 'error' ? event.state : undefined;
  // no_input/error get their own ledger entry: a later `finished` for the same id stays independent.
  const ledgerId = terminalFailure ? `${event.recordingId}#${terminalFailure}` : event.recordingId;
  const attempt = await claimOrSettle(event, deps, ledgerId, protection);
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
  logger.info('recording stored', { ...context, attempts: attempt.entry.attempts, legal_hold: held });
  return { outcome: 'stored' };
}

/**
 * A callback for a call that was erased (an `erased` tombstone exists; no legal hold).
 *
 * Someone asked for everything about this call to be gone, so nothing is written: no metadata,
 * no ledger item, no transcription job, and no audit event either (an event saying "a recording
 * arrived after erasure" would itself be new data about the call, outliving what the tombstone
 * already records). SignalWire's copy of a finished recording is deleted when project
 * credentials are configured (see {@link deleteSignalWireCopy}); if SignalWire does not
 * confirm, the answer is 503 so its retry gives us another attempt, since after this nothing of
 * ours points to that copy. Otherwise 200 `discarded_erased`: a retry could never change the
 * answer. The warning carries the call id (the invocation's log key) and nothing from the body.
 * Replays repeat the same steps (404 at SignalWire counts as done), so this is idempotent.
 */
async function discardForErasedCall(event: RecordingEvent, deps: IngestDeps): Promise<{ outcome: IngestOutcome }> {
  let signalwire: SignalWireCopy;
  try {
    signalwire = await deleteSignalWireCopy(event, deps.signalwire);
  } catch (error) {
    logger.warn('recording callback for an erased call: SignalWire copy not deleted, asking for a retry', {
      call_id: event.callId,
      status: error instanceof SignalWireDeleteError ? error.status : 'error',
    });
    throw new RetryableError('recording of an erased call could not be deleted at SignalWire', { cause: error });
  }
  logger.warn('recording callback for an erased call discarded', { call_id: event.callId, signalwire });
  return { outcome: 'discarded_erased' };
}
