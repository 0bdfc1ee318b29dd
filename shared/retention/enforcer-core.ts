import { loadSignalWireProject } from '#shared/aws/secrets.js';
import { nowOf, type Clocked } from '#shared/clock.js';
import { getConfig } from '#shared/config.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import type { ConsentStore } from '#shared/consent/types.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { signalWireRecordingsFromConfig, type SignalWireRecordings } from '#shared/signalwire/recordings.js';
import type { CallDataStore } from '#shared/storage/call-data.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import { dynamoWriteGate, type OperatorGate } from '#shared/storage/write-gate.js';
import { DynamoRetentionSource } from './dynamo-retention-source.js';
import { expireCall } from './expire-call.js';
import { settleListedRecording } from './signalwire-listing.js';

/** One page of a walk, and where the next one starts (absent: the walk is complete). */
export interface Page<T> {
  values: T[];
  next?: string;
}

/** Where each walk stopped; every walk starts over once it reaches its end. */
export interface RetentionCursor {
  /** Through the bucket's recordings/ prefix, by call. */
  recordings?: string;
  /** Through the table's items past their expiresAt, by call. */
  items?: string;
  /** Through SignalWire's recordings (a `links.next` URL). */
  signalwire?: string;
}

/** How the enforcer finds candidate calls, and keeps its bookmark (DynamoRetentionSource in AWS). */
export interface RetentionSource {
  /** Calls with objects under recordings/ (one delimited listing page). */
  recordingCalls(cursor: string | undefined): Promise<Page<string>>;
  /** Calls with at least one item whose expiresAt is at or before `nowEpoch` (one page). */
  expiredItemCalls(nowEpoch: number, cursor: string | undefined): Promise<Page<string>>;
  loadCursor(): Promise<RetentionCursor>;
  saveCursor(cursor: RetentionCursor): Promise<void>;
}

export interface RetentionDeps extends Clocked {
  data: CallDataStore;
  /** The calls' write gate and operator lock (shared/storage/write-gate.ts). */
  gate: OperatorGate;
  source: RetentionSource;
  /** The call's audit trail, for `recording_without_callback` incidents. */
  events: Pick<ConsentStore, 'appendEvent' | 'listEvents'>;
  /** Without SignalWire REST credentials their copies are neither listed nor deleted. */
  signalwire?: Pick<SignalWireRecordings, 'deleteRecording' | 'listRecordings'> | undefined;
  retentionDays: number;
  /** Pages per walk per run (default {@link DEFAULT_PAGE_BUDGET}); the rest waits for the next run. */
  pageBudget?: number;
}

export interface RetentionReport {
  calls: number;
  held: number;
  recordingsDeleted: number;
  itemsDeleted: number;
  signalwireDeleted: number;
  incidents: number;
  /** What could not be done this run (no ids of callers, no values): the run throws when any. */
  failures: string[];
  /** Walks that reached their end this run. */
  completed: (keyof RetentionCursor)[];
}

/** One daily run: a few hundred calls per walk is well inside the function's timeout. */
const DEFAULT_PAGE_BUDGET = 5;

/** The run did what it could and some of it failed: thrown so the function's error alarm fires. */
export class RetentionRunError extends Error {
  override name = 'RetentionRunError';
  constructor(readonly report: RetentionReport) {
    super(`retention run incomplete: ${report.failures.length} failure(s): ${report.failures.slice(0, 5).join('; ')}`);
  }
}

/**
 * The retention enforcer (issue #12 points 3–4): deletes whatever is past retention and not held —
 * recording metadata and archived audio (counted from the recording, see expire-call.ts), table
 * items past their expiresAt, and SignalWire's copies (signalwire-listing.ts) — with the bucket's
 * lifecycle rule and DynamoDB TTL as the backstop.
 *
 * Three walks, each bounded by the page budget and resumed from the stored cursor by the next run:
 * the bucket's recordings/ prefix by call, the table's expired items by call (a Scan: see
 * DynamoRetentionSource for its cost), and SignalWire's recording list. A call is visited once per
 * run. A walk's cursor moves past a page only when everything on it succeeded, so a failure is
 * retried by the next run; all operations are idempotent. Any failure (storage, SignalWire) is
 * logged, the rest carries on, and the run then throws {@link RetentionRunError}.
 */
export async function enforceRetention(deps: RetentionDeps): Promise<RetentionReport> {
  const report: RetentionReport = {
    calls: 0,
    held: 0,
    recordingsDeleted: 0,
    itemsDeleted: 0,
    signalwireDeleted: 0,
    incidents: 0,
    failures: [],
    completed: [],
  };
  const now = nowOf(deps);
  const clocked = { ...deps, now: () => now };
  const budget = deps.pageBudget ?? DEFAULT_PAGE_BUDGET;
  let cursor: RetentionCursor;
  try {
    cursor = await deps.source.loadCursor();
  } catch (error) {
    fail(report, 'cursor', error);
    throw new RetentionRunError(report);
  }
  const visited = new Set<string>();
  const visit = async (callId: string): Promise<boolean> => {
    if (visited.has(callId)) return true;
    visited.add(callId);
    try {
      const result = await expireCall(callId, clocked);
      report.calls += 1;
      if (result.status === 'held') report.held += 1;
      // A call busy with another operator action is visited again by the next run.
      if (result.status === 'busy') return false;
      report.recordingsDeleted += result.recordingsDeleted;
      report.itemsDeleted += result.itemsDeleted;
      for (const key of result.failures) report.failures.push(`signalwire delete for ${key}`);
      return result.failures.length === 0;
    } catch (error) {
      fail(report, `call ${callId}`, error);
      return false;
    }
  };

  const nowEpoch = Math.floor(now.getTime() / 1000);
  const next: RetentionCursor = {};
  next.recordings = await walk('recordings', cursor.recordings, budget, report, (c) => deps.source.recordingCalls(c), visit);
  next.items = await walk('items', cursor.items, budget, report, (c) => deps.source.expiredItemCalls(nowEpoch, c), visit);
  const { signalwire } = deps;
  if (signalwire) {
    next.signalwire = await walk(
      'signalwire',
      cursor.signalwire,
      budget,
      report,
      async (c) => {
        const page = await signalwire.listRecordings(c);
        return { values: page.recordings, ...(page.next ? { next: page.next } : {}) };
      },
      async (recording) => {
        try {
          const outcome = await settleListedRecording(recording, { ...clocked, signalwire });
          if (outcome.incident) report.incidents += 1;
          if (outcome.deleted) report.signalwireDeleted += 1;
          return true;
        } catch (error) {
          fail(report, 'signalwire recording', error);
          return false;
        }
      },
    );
  } else {
    logger.warn('SignalWire credentials not configured: their copies of recordings are not checked');
  }

  try {
    await deps.source.saveCursor(next);
  } catch (error) {
    fail(report, 'cursor', error);
  }
  if (report.recordingsDeleted > 0) countMetric(MetricName.RetentionRecordingDeleted, report.recordingsDeleted);
  const { failures, ...counts } = report;
  logger.info('retention run done', { ...counts, failures: failures.length });
  if (failures.length > 0) throw new RetentionRunError(report);
  return report;
}

/**
 * Up to `budget` pages of one walk from `start`; returns where the next run starts. The cursor
 * stays before a page anything on which failed (or that could not be fetched).
 */
async function walk<T>(
  name: keyof RetentionCursor,
  start: string | undefined,
  budget: number,
  report: RetentionReport,
  page: (cursor: string | undefined) => Promise<Page<T>>,
  each: (value: T) => Promise<boolean>,
): Promise<string | undefined> {
  let cursor = start;
  for (let pages = 0; pages < budget; pages += 1) {
    let current: Page<T>;
    try {
      current = await page(cursor);
    } catch (error) {
      fail(report, `${name} listing`, error);
      return cursor;
    }
    let ok = true;
    for (const value of current.values) ok = (await each(value)) && ok;
    if (!ok) return cursor;
    if (!current.next) {
      report.completed.push(name);
      return undefined;
    }
    cursor = current.next;
  }
  return cursor;
}

function fail(report: RetentionReport, what: string, error: unknown): void {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown';
  report.failures.push(`${what}: ${reason}`);
  logger.error('retention enforcer step failed', { step: what.split(' ')[0], reason });
}

/**
 * The scheduled run as the deployed function does it: deps from configuration (table, bucket,
 * SignalWire project settings from env overlaid by the secret); tests and the CLI pass their own.
 */
export async function retentionEnforcerCore(deps?: RetentionDeps): Promise<RetentionReport> {
  return enforceRetention(deps ?? (await deployedDeps()));
}

async function deployedDeps(): Promise<RetentionDeps> {
  const config = getConfig();
  const signalwire = signalWireRecordingsFromConfig(await loadSignalWireProject(config));
  return {
    data: new AwsCallDataStore(),
    gate: dynamoWriteGate(),
    source: new DynamoRetentionSource(),
    events: new DynamoConsentStore(),
    ...(signalwire ? { signalwire } : {}),
    retentionDays: config.RETENTION_DAYS,
  };
}
