/**
 * Where everything the agent stores lives, and when it goes: the table's shape and sort keys,
 * the bucket's prefixes and retention tag, and how legal hold relocates a call's objects.
 * Every module that reads or writes storage takes its keys from here; the CDK stack and the
 * local emulator setup take the table shape and prefixes from here too, so all create the same thing.
 *
 * Every object the agent writes lives under `recordings/<call>/`: the metadata document and, next
 * to it, the archived audio. Nothing writes `archive/`: it is kept only as a guard (held, released,
 * erased and lifecycle-expired like recordings/) for anything an operator or an earlier version put
 * there; the retention enforcer does not walk it. Held objects move under
 * `legal-hold/<call>/<origin>/<rest>` (origin = `recordings` or `archive`), so a release knows
 * where each one came back from. The prefix is the hold mechanism: the stack's lifecycle rules
 * expire `recordings/` and `archive/` and have no rule for `legal-hold/`. (S3 Object Lock would be
 * the alternative; the local emulator answers MethodNotAllowed to it, and a lock cannot be
 * lifted early in compliance mode, which a released hold needs.) Lifecycle counts from an
 * object's creation, which a release (a copy back) restarts; the retention enforcer
 * (shared/retention) counts from the recording and deletes on time, the rule is the backstop.
 */

/** The single DynamoDB table. */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  /** GSI for "everything about this caller": keyed hash of the number, never the number. */
  callerIndex: { name: 'byCaller', partitionKey: 'callerHash', sortKey: 'pk' },
  /**
   * GSI for the operator console's lists (infra/console): calls, incidents and recordings by
   * day, held calls in one fixed partition. Sparse: only the items shared/storage/day-index.ts
   * gives the two attributes are in it, so listing never scans the table.
   */
  dayIndex: { name: 'byDay', partitionKey: 'listDay', sortKey: 'listKey' },
} as const;

/** Partition key of everything about one call. */
export const callKey = (callId: string): string => `CALL#${callId}`;

/** Sort keys of a call's partition. */
export const SK = {
  consent: 'CONSENT',
  eventPrefix: 'EVENT#',
  /** The ingest ledger item of one recording (segment). */
  recordingPrefix: 'RECORDING#',
  legalHold: 'LEGAL_HOLD',
  /** Whether a recording runs under one control id (`RECCTL#<controlId>`, see RecordingControl). */
  recordingControlPrefix: 'RECCTL#',
  /**
   * The `erased` tombstone erasure leaves (an audit event, under the event prefix). One fixed key
   * per call, so every writer can look for it with one GetItem before it writes (see
   * DynamoConsentStore) and erasure never writes two. `~` sorts after every timestamp, so it is
   * the last event of the call's trail, as it is the last thing that happens to the call.
   * Tombstones written before this key existed are `EVENT#<iso>#<seq>` items of type `erased`;
   * `isTombstone` (shared/storage/protection.ts) recognises both.
   */
  erasedTombstone: 'EVENT#~ERASED',
  /**
   * The call's write gate (shared/storage/write-gate.ts): which writers are in flight, whether
   * the call is held or being erased, and the operator lock. Never deleted by erasure: it is
   * what keeps an erased call's writers out.
   */
  guard: 'GUARD',
} as const;

/** `EVENT#<iso>#<seq>`, seq zero-padded so events in the same millisecond still sort in write order. */
export function eventSortKey(at: string, seq: number): string {
  return `${SK.eventPrefix}${at}#${String(seq).padStart(6, '0')}`;
}

/** The ingest ledger item's sort key. */
export const ledgerSortKey = (ledgerId: string): string => `${SK.recordingPrefix}${ledgerId}`;

/** Key prefixes of the recordings bucket, each ending in '/'. */
export const BUCKET_PREFIXES = {
  /** Metadata JSON and archived audio per recording: expire after the retention period. */
  recordings: 'recordings/',
  /** Written by nothing (see the file comment): a guarded, lifecycle-covered prefix, not a place to put things. */
  archive: 'archive/',
  /** Objects under legal hold: no lifecycle rule, kept until the hold is lifted. */
  legalHold: 'legal-hold/',
  /**
   * Export documents too big for a Lambda response (personal data, fetched once by the operator
   * through a short-lived presigned URL): their own lifecycle rule expires them within days, and
   * erasure deletes them (see {@link exportPrefixesOf}). Untagged: the retention tag means
   * "keep for the retention period", which an export must not be.
   */
  exports: 'exports/',
  /**
   * Where Amazon Transcribe writes its (already redacted) output: it cannot enter a call's write
   * gate, so the transcript completion moves it, through the gate, next to its recording and
   * deletes it here. Its own 1-day lifecycle rule removes anything a failed move left behind;
   * erasure empties a call's folder (it is one of {@link callPrefixes}).
   */
  transcribeOutput: 'transcribe-output/',
} as const;

/** Days Transcribe's raw output may linger before the lifecycle rule deletes it. */
export const TRANSCRIBE_OUTPUT_EXPIRY_DAYS = 1;

/** Days an export object lives before the lifecycle rule deletes it (S3 acts within a day after). */
export const EXPORT_EXPIRY_DAYS = 1;

/** Whose data an export holds: one call, or every call of one caller (by keyed hash). */
export type ExportSubject = { callId: string } | { callerHash: string };

/**
 * `exports/<callId>/` or `exports/caller-<hash>/`: one folder per subject, so erasure finds a
 * subject's exports by prefix. `caller-` cannot collide with a call id folder in practice
 * (SignalWire call ids are UUIDs) and never with each other (a hash is 64 hex).
 */
function exportPrefix(subject: ExportSubject): string {
  return 'callId' in subject
    ? `${BUCKET_PREFIXES.exports}${subject.callId}/`
    : `${BUCKET_PREFIXES.exports}caller-${subject.callerHash}/`;
}

/** Object key of one export: its time (sortable, no colons) and a random id under the subject's prefix. */
export function exportKey(subject: ExportSubject, exportedAt: Date, id: string): string {
  return `${exportPrefix(subject)}${exportedAt.toISOString().replace(/[:.]/g, '-')}-${id}.json`;
}

/**
 * Every prefix an erasure must empty of exports: each erased call's folder and each caller's
 * folder the erased calls belong to (a caller's export embeds all its calls, so erasing one call
 * must delete the caller's exports too).
 */
export function exportPrefixesOf(erased: { callIds: readonly string[]; callerHashes: readonly string[] }): string[] {
  const prefixes = [
    ...erased.callIds.map((callId) => exportPrefix({ callId })),
    ...erased.callerHashes.map((callerHash) => exportPrefix({ callerHash })),
  ];
  return [...new Set(prefixes)].sort();
}

/** The tag the bucket's lifecycle rule filters on: tagged objects expire after the retention days. */
export const RETENTION_TAG = { Key: 'retention', Value: 'standard' } as const;

/** Object key of a recording's metadata; both ids have been validated by the id rule before. */
export function metadataKey(callId: string, recordingId: string): string {
  return `${BUCKET_PREFIXES.recordings}${callId}/${recordingId}.json`;
}

/** Object key of the archived audio, next to its metadata. */
export function audioKey(callId: string, recordingId: string, format: string | null): string {
  return `${BUCKET_PREFIXES.recordings}${callId}/${recordingId}.${format ?? 'bin'}`;
}

/**
 * A recording's redacted transcript, next to its metadata and audio: under the recording's
 * `<stem>.` so the retention enforcer deletes it with the recording, and with a suffix that
 * {@link isMetadataKey} excludes, so no reader of metadata takes it for a metadata document.
 */
export function transcriptKey(callId: string, recordingId: string): string {
  return `${BUCKET_PREFIXES.recordings}${callId}/${recordingId}${TRANSCRIPT_SUFFIX}`;
}

const TRANSCRIPT_SUFFIX = '.transcript.json';

/** Where Transcribe writes a recording's raw (redacted) output before the completion moves it. */
export function transcribeOutputKey(callId: string, recordingId: string): string {
  return `${BUCKET_PREFIXES.transcribeOutput}${callId}/${recordingId}.json`;
}

/** The prefixes under which a call's objects may be, each ending in '/'. */
export function callPrefixes(callId: string): {
  recordings: string;
  archive: string;
  legalHold: string;
  transcribeOutput: string;
} {
  return {
    recordings: `${BUCKET_PREFIXES.recordings}${callId}/`,
    archive: `${BUCKET_PREFIXES.archive}${callId}/`,
    legalHold: `${BUCKET_PREFIXES.legalHold}${callId}/`,
    transcribeOutput: `${BUCKET_PREFIXES.transcribeOutput}${callId}/`,
  };
}

const ORIGINS = { recordings: BUCKET_PREFIXES.recordings, archive: BUCKET_PREFIXES.archive } as const;
type Origin = keyof typeof ORIGINS;

/** `recordings/<call>/x` → `legal-hold/<call>/recordings/x`; undefined for keys outside the call's expiring prefixes. */
export function heldKey(callId: string, key: string): string | undefined {
  for (const origin of Object.keys(ORIGINS) as Origin[]) {
    const prefix = `${ORIGINS[origin]}${callId}/`;
    if (key.startsWith(prefix)) return `${BUCKET_PREFIXES.legalHold}${callId}/${origin}/${key.slice(prefix.length)}`;
  }
  return undefined;
}

/** Inverse of {@link heldKey}; undefined for a key that did not come from there. */
export function releasedKey(callId: string, key: string): string | undefined {
  const prefix = `${BUCKET_PREFIXES.legalHold}${callId}/`;
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf('/');
  const origin = rest.slice(0, slash) as Origin;
  if (slash <= 0 || !(origin in ORIGINS)) return undefined;
  return `${ORIGINS[origin]}${callId}/${rest.slice(slash + 1)}`;
}

/** The call id of a `recordings/<call>/` prefix (as a delimited listing returns it); undefined for anything else. */
export function callIdOfPrefix(prefix: string): string | undefined {
  if (!prefix.startsWith(BUCKET_PREFIXES.recordings) || !prefix.endsWith('/')) return undefined;
  const callId = prefix.slice(BUCKET_PREFIXES.recordings.length, -1);
  return callId && !callId.includes('/') ? callId : undefined;
}

/**
 * The retention enforcer's bookmark: where its bounded walk stopped, so the next run goes on
 * from there. Outside every call partition (its pk never starts with `CALL#`), no expiresAt.
 */
export const RETENTION_CURSOR_KEY = { pk: 'RETENTION_ENFORCER', sk: 'CURSOR' } as const;

export const isHeldKey = (key: string): boolean => key.startsWith(BUCKET_PREFIXES.legalHold);
export const isTranscriptKey = (key: string): boolean => key.endsWith(TRANSCRIPT_SUFFIX);
/** A recording's metadata document: JSON of the call that is neither a transcript nor Transcribe's raw output. */
export const isMetadataKey = (key: string): boolean =>
  key.endsWith('.json') && !isTranscriptKey(key) && !key.startsWith(BUCKET_PREFIXES.transcribeOutput);

/**
 * expiresAt of a held call's items: 9999-12-31T23:59:59Z, i.e. never. A value rather than a
 * removed attribute because every writer keeps working with it: the consent record's type
 * requires a number and its state machine only ever extends it (max), and the ingest ledger's
 * `if_not_exists(expiresAt, …)` leaves it alone, where a removed attribute would be re-set.
 */
export const LEGAL_HOLD_EXPIRES_AT = 253_402_300_799;

const DAY_MS = 86_400_000;

/**
 * Days consent evidence and audit events outlive the recordings they are about: the recording
 * may be questioned up to its last day, and the evidence must still answer then.
 */
export const EVIDENCE_MARGIN_DAYS = 30;

/** expiresAt (epoch seconds) of evidence written at `now`: retention plus {@link EVIDENCE_MARGIN_DAYS}. */
export function evidenceExpiresAt(now: Date, retentionDays: number): number {
  return Math.floor(expiryFrom(now, retentionDays + EVIDENCE_MARGIN_DAYS).getTime() / 1000);
}

/** `from` + retention days: when an object written at `from` expires. */
export function expiryFrom(from: Date, retentionDays: number): Date {
  return new Date(from.getTime() + retentionDays * DAY_MS);
}
