import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { auditEventFromItem } from '#shared/consent/transitions.js';
import type { AuditEvent } from '#shared/consent/types.js';
import { listKeys, readJsonObject } from '#shared/aws/s3-objects.js';
import { callPrefixes, expiryFrom, isHeldKey, isMetadataKey, SK } from '#shared/storage/layout.js';
import { consentLabel, type ConsentLabel } from './calls.js';
import type { TableReader } from './queries.js';

/** Seconds a presigned audio URL lives: long enough to press play, short enough to be useless if copied. */
const AUDIO_URL_SECONDS = 300;
const DAY_MS = 86_400_000;

/** One recording as the lists show it: when it came and when it goes. */
export interface RecordingRow {
  callId: string;
  recordingId: string;
  receivedAt: string;
  /** Null under legal hold: it does not expire. */
  expiresAt: string | null;
  daysLeft: number | null;
  held: boolean;
}

export interface RecordingView extends RecordingRow {
  durationSeconds: number | null;
  consent: string;
  /** Presigned GET of the archived audio, when it is archived. */
  audioUrl?: string;
}

export interface CallDetail {
  callId: string;
  consent: ConsentLabel;
  jurisdiction: string;
  mode?: string;
  callerHash?: string;
  startedAt?: string;
  events: AuditEvent[];
  held: boolean;
  hold?: { since: string; reason: string; requestedBy: string };
  erased: boolean;
  recordings: RecordingView[];
  /** Nothing at all is stored under this id. */
  empty: boolean;
}

export interface BucketReader {
  client: S3Client;
  bucket: string;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function daysLeft(expiresAt: string | null, now: Date): number | null {
  return expiresAt === null ? null : Math.ceil((Date.parse(expiresAt) - now.getTime()) / DAY_MS);
}

/** Everything the call page shows, read with Query/GetObject only. */
export async function loadCall(
  callId: string,
  reader: TableReader,
  bucket: BucketReader,
  settings: { retentionDays: number; now: Date },
): Promise<CallDetail> {
  const items = await reader.callItems(callId);
  const consent = items.find((item) => item.sk === SK.consent);
  const markerItem = items.find((item) => item.sk === SK.legalHold);
  const events = items
    .filter((item) => typeof item.sk === 'string' && item.sk.startsWith(SK.eventPrefix))
    .sort((a, b) => String(a.at).localeCompare(String(b.at)))
    .map(auditEventFromItem);
  const recordings = await loadRecordings(callId, bucket, settings);
  const held = markerItem !== undefined || consent?.legalHold === true || recordings.some((r) => r.held);
  const callerHash = str(consent?.callerHash);
  const mode = str(consent?.mode);
  const startedAt = str(consent?.listKey)?.split('#')[1];
  return {
    callId,
    consent: consentLabel(consent),
    jurisdiction: str(consent?.jurisdiction) ?? 'unknown',
    ...(mode ? { mode } : {}),
    ...(callerHash ? { callerHash } : {}),
    ...(startedAt ? { startedAt } : {}),
    events,
    held,
    ...(markerItem
      ? {
          hold: {
            since: str(markerItem.since) ?? '',
            reason: str(markerItem.reason) ?? '',
            requestedBy: str(markerItem.requestedBy) ?? '',
          },
        }
      : {}),
    erased: events.some((e) => e.type === 'erased'),
    recordings,
    empty: items.length === 0 && recordings.length === 0,
  };
}

/** The call's metadata documents (normal or held) and, next to each, its archived audio if any. */
async function loadRecordings(
  callId: string,
  bucket: BucketReader,
  settings: { retentionDays: number; now: Date },
): Promise<RecordingView[]> {
  const prefixes = callPrefixes(callId);
  const keys = (
    await Promise.all([prefixes.recordings, prefixes.legalHold].map((p) => listKeys(bucket.client, bucket.bucket, p)))
  ).flat();
  const views: RecordingView[] = [];
  for (const key of keys.filter(isMetadataKey)) {
    const doc = (await readJsonObject(bucket.client, bucket.bucket, key)) as Record<string, unknown> | undefined;
    if (!doc) continue;
    const base = key.slice(0, -'.json'.length);
    const audioKey = keys.find((k) => k !== key && k.startsWith(`${base}.`));
    const held = isHeldKey(key) || doc.expiresAt === null;
    const receivedAt = str(doc.receivedAt) ?? '';
    const expiresAt = held
      ? null
      : (str(doc.expiresAt) ?? (receivedAt ? expiryFrom(new Date(receivedAt), settings.retentionDays).toISOString() : null));
    const consent = doc.consent;
    views.push({
      callId,
      recordingId: str(doc.recordingId) ?? base.slice(base.lastIndexOf('/') + 1),
      receivedAt,
      expiresAt,
      daysLeft: daysLeft(expiresAt, settings.now),
      held,
      durationSeconds: typeof doc.durationSeconds === 'number' ? doc.durationSeconds : null,
      consent: typeof consent === 'object' && consent !== null ? String((consent as { state?: unknown }).state) : 'missing',
      ...(audioKey ? { audioUrl: await presignAudio(bucket, audioKey) } : {}),
    });
  }
  return views.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

/** A GET URL for one audio object, signed with the console's own credentials for {@link AUDIO_URL_SECONDS}. */
function presignAudio(bucket: BucketReader, key: string): Promise<string> {
  return getSignedUrl(bucket.client, new GetObjectCommand({ Bucket: bucket.bucket, Key: key }), {
    expiresIn: AUDIO_URL_SECONDS,
  });
}
