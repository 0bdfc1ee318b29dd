import { dayOf } from '#shared/storage/day-index.js';
import type { Filter, TableReader } from './queries.js';

/** Consent as the console filters and shows it; `implied` = granted by one-party disclosure, `none` = still pending. */
export const CONSENT_FILTERS = ['granted', 'declined', 'withdrawn', 'implied', 'none'] as const;
export type ConsentLabel = (typeof CONSENT_FILTERS)[number];

const IMPLIED_PREFIX = 'implied';

interface CallRow {
  callId: string;
  startedAt: string;
  consent: ConsentLabel;
  jurisdiction: string;
  held: boolean;
  callerHash?: string;
}

export interface CallFilter {
  /** Inclusive UTC days, `YYYY-MM-DD`; `to` is where the newest-first walk starts. */
  from: string;
  to: string;
  consent?: ConsentLabel;
  held?: boolean;
  incidents?: boolean;
}

/** Longest date range one listing walks (one Query per day at least). */
const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

const text = (item: Record<string, unknown>, name: string): string | undefined =>
  typeof item[name] === 'string' ? (item[name] as string) : undefined;

export function consentLabel(item: Record<string, unknown> | undefined): ConsentLabel {
  const state = item ? text(item, 'state') : undefined;
  if (state === 'granted') return text(item ?? {}, 'evidence')?.startsWith(IMPLIED_PREFIX) ? 'implied' : 'granted';
  if (state === 'declined' || state === 'withdrawn') return state;
  return 'none';
}

/** A consent item as a row of the calls list. */
function callRow(item: Record<string, unknown>): CallRow {
  const callerHash = text(item, 'callerHash');
  return {
    callId: text(item, 'callId') ?? '',
    startedAt: (text(item, 'listKey') ?? '').split('#')[1] ?? text(item, 'updatedAt') ?? '',
    consent: consentLabel(item),
    jurisdiction: text(item, 'jurisdiction') ?? 'unknown',
    held: item.legalHold === true,
    ...(callerHash ? { callerHash } : {}),
  };
}

/** The FilterExpression for the consent and held filters (evaluated by DynamoDB after the key condition). */
function filterOf(filter: CallFilter): Filter | undefined {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (filter.consent) {
    names['#state'] = 'state';
    const state = filter.consent === 'implied' ? 'granted' : filter.consent === 'none' ? 'pending' : filter.consent;
    values[':state'] = state;
    parts.push('#state = :state');
    if (state === 'granted') {
      names['#evidence'] = 'evidence';
      values[':implied'] = IMPLIED_PREFIX;
      parts.push(filter.consent === 'implied' ? 'begins_with(#evidence, :implied)' : 'NOT begins_with(#evidence, :implied)');
    }
  }
  if (filter.held) {
    names['#hold'] = 'legalHold';
    values[':true'] = true;
    parts.push('#hold = :true');
  }
  return parts.length > 0 ? { expression: parts.join(' AND '), names, values } : undefined;
}

/** The days of the range, newest first. */
export function daysDescending(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${to}T00:00:00Z`); t >= Date.parse(`${from}T00:00:00Z`); t -= DAY_MS) {
    days.push(dayOf(new Date(t)));
    if (days.length >= MAX_RANGE_DAYS) break;
  }
  return days;
}

/** Where the next page starts: a day, and inside it the last key read (absent: the day's start). */
interface Cursor {
  day: string;
  key?: Record<string, unknown>;
}

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(text: string | undefined): Cursor | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    return typeof parsed.day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(parsed.day) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export interface CallPage {
  rows: CallRow[];
  next?: string;
}

/**
 * One page of calls, most recent first: a Query of the byDay index per day of the range (the
 * consent and held filters run in DynamoDB), never a Scan. With `incidents`, the day's
 * incident events are read instead and their calls looked up (few per day by nature).
 */
export async function listCalls(reader: TableReader, filter: CallFilter, cursorText?: string, pageSize = 20): Promise<CallPage> {
  const days = daysDescending(filter.from, filter.to);
  const cursor = decodeCursor(cursorText);
  const start = cursor ? Math.max(0, days.indexOf(cursor.day)) : 0;
  const rows: CallRow[] = [];
  const dbFilter = filterOf(filter);
  for (let i = start; i < days.length; i += 1) {
    const day = days[i] as string;
    if (filter.incidents) {
      rows.push(...(await incidentCalls(reader, day, filter)));
    } else {
      let startKey = i === start ? cursor?.key : undefined;
      do {
        const page = await reader.dayPage(day, 'call', {
          limit: pageSize - rows.length,
          ...(startKey ? { startKey } : {}),
          ...(dbFilter ? { filter: dbFilter } : {}),
        });
        rows.push(...page.items.map(callRow));
        startKey = page.lastKey;
        if (rows.length >= pageSize) {
          if (startKey) return { rows, next: encodeCursor({ day, key: startKey }) };
          break;
        }
      } while (startKey);
    }
    const following = days[i + 1];
    if (rows.length >= pageSize) return { rows, ...(following ? { next: encodeCursor({ day: following }) } : {}) };
  }
  return { rows };
}

/** The calls with an incident on `day`, each once, newest incident first, with the other filters applied. */
async function incidentCalls(reader: TableReader, day: string, filter: CallFilter): Promise<CallRow[]> {
  const incidents = await reader.dayAll(day, 'incident');
  const ids = [...new Set(incidents.map((item) => text(item, 'pk')?.replace(/^CALL#/, '') ?? ''))].filter(Boolean);
  const rows: CallRow[] = [];
  for (const callId of ids) {
    const item = await reader.consentItem(callId);
    if (!item) continue;
    const row = callRow(item);
    if (filter.consent && row.consent !== filter.consent) continue;
    if (filter.held && !row.held) continue;
    rows.push(row);
  }
  return rows;
}
