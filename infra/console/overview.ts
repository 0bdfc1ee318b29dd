import { dayOf } from '#shared/storage/day-index.js';
import { expiryFrom, LEGAL_HOLD_EXPIRES_AT, TABLE } from '#shared/storage/layout.js';
import { daysLeft, type RecordingRow } from './call-detail.js';
import { daysDescending } from './calls.js';
import type { TableReader } from './queries.js';

const DAY_MS = 86_400_000;
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const callIdOf = (item: Record<string, unknown>): string => str(item[TABLE.partitionKey]).replace(/^CALL#/, '');

/** The last `days` UTC days up to `now`, newest first. */
function lastDays(now: Date, days: number): string[] {
  return daysDescending(dayOf(new Date(now.getTime() - (days - 1) * DAY_MS)), dayOf(now));
}

/**
 * Recordings received in the last `days` days, newest first, from their ingest ledger items in
 * the byDay index. Held ones (their items pinned to never expire) have no expiry.
 */
export async function recentRecordings(
  reader: TableReader,
  settings: { retentionDays: number; now: Date; days: number },
): Promise<RecordingRow[]> {
  const rows: RecordingRow[] = [];
  for (const day of lastDays(settings.now, settings.days)) {
    for (const item of await reader.dayAll(day, 'recording')) {
      const receivedAt = str(item.receivedAt);
      const held = item[TABLE.ttlAttribute] === LEGAL_HOLD_EXPIRES_AT;
      const expiresAt = held ? null : expiryFrom(new Date(receivedAt), settings.retentionDays).toISOString();
      rows.push({
        callId: callIdOf(item),
        recordingId: str(item.ledgerId),
        receivedAt,
        expiresAt,
        daysLeft: daysLeft(expiresAt, settings.now),
        held,
      });
    }
  }
  return rows;
}

export interface IncidentRow {
  callId: string;
  at: string;
  kind: string;
  recordingId?: string;
}

/** What an incident event is about, in the words the incidents page shows. */
function incidentKind(type: string, detail: Record<string, unknown>): string {
  if (type === 'secure_tool_used') return 'sensitive_data_while_recording';
  if (type === 'recording_stored') return 'recording_without_consent';
  return str(detail.reason) || 'incident';
}

/** Incident events of the last `days` days, newest first, each linking to its call. */
export async function recentIncidents(reader: TableReader, settings: { now: Date; days: number }): Promise<IncidentRow[]> {
  const rows: IncidentRow[] = [];
  for (const day of lastDays(settings.now, settings.days)) {
    for (const item of await reader.dayAll(day, 'incident')) {
      const detail = (item.detail ?? {}) as Record<string, unknown>;
      const recordingId = str(detail.recordingId);
      rows.push({
        callId: callIdOf(item),
        at: str(item.at),
        kind: incidentKind(str(item.type), detail),
        ...(recordingId ? { recordingId } : {}),
      });
    }
  }
  return rows;
}

interface RetentionDay {
  /** The UTC day recordings expire on. */
  day: string;
  count: number;
}

export interface RetentionOverview {
  days: RetentionDay[];
  held: Array<{ callId: string; since: string; reason: string; requestedBy: string }>;
  retentionDays: number;
}

/**
 * What expires when: recordings received on day D expire on D + retention, so the next
 * retention period's expiries are the recordings received in the last retention period (one
 * Query per day). Held recordings are left out (they do not expire); the held calls are listed.
 */
export async function retentionOverview(
  reader: TableReader,
  settings: { retentionDays: number; now: Date },
): Promise<RetentionOverview> {
  const recordings = await recentRecordings(reader, { ...settings, days: settings.retentionDays });
  const counts = new Map<string, number>();
  for (let i = 0; i < settings.retentionDays; i += 1) counts.set(dayOf(new Date(settings.now.getTime() + i * DAY_MS)), 0);
  for (const row of recordings) {
    if (!row.expiresAt) continue;
    const day = dayOf(row.expiresAt);
    if (counts.has(day)) counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  const held = (await reader.heldMarkers()).map((item) => ({
    callId: callIdOf(item),
    since: str(item.since),
    reason: str(item.reason),
    requestedBy: str(item.requestedBy),
  }));
  return { days: [...counts].map(([day, count]) => ({ day, count })), held, retentionDays: settings.retentionDays };
}
