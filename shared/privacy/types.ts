/**
 * Vocabulary of the privacy operations (erasure, export, legal hold): their inputs, results
 * and the named errors the operator function and the CLI turn into clear messages.
 */
import type { AuditEvent, ConsentRecord } from '#shared/consent/types.js';
import type { RecordingMetadataDocument } from '#shared/recordings/metadata.js';
import type { TranscriptDocument } from '#shared/recordings/transcript.js';
import type { LegalHoldMarker } from '#shared/storage/protection.js';
import { carriesPersonalData } from '#shared/validation/personal-data.js';

/**
 * Why an operator acts, as a short slug (`data-subject-request`, `case-2025-17`…): the audit
 * trail keeps a category or reference, never free text that could itself carry personal data.
 */
const REASON_PATTERN = /^[a-z][a-z0-9._-]{0,47}$/;
/** Who asked (operator login or ticket system), stored in the audit detail. */
const REQUESTED_BY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/;

/**
 * The operator's words are stored in the audit trail and logged: the patterns keep them short
 * and free of spaces, and the redaction rule the logger applies (validation/personal-data.ts)
 * refuses what it would scrub, as the id rule does: `ssn-078-05-1120`, `dob-1980-04-05` or a
 * login of digits is a slug by shape and personal data by content. Refused, not scrubbed, so
 * what is stored is exactly what the operator typed.
 */
export const isReason = (value: string): boolean => REASON_PATTERN.test(value) && !carriesPersonalData(value);
export const isRequestedBy = (value: string): boolean => REQUESTED_BY_PATTERN.test(value) && !carriesPersonalData(value);

export const DEFAULT_ERASE_REASON = 'data-subject-request';

export interface OperatorRequest {
  reason: string;
  requestedBy: string;
}

/** A caller named by number (hashed before use, never stored) or by its keyed hash. */
export type CallerRef = { number: string } | { hash: string };

type EraseStatus = 'erased' | 'already_erased' | 'nothing_held' | 'incomplete';

export interface EraseCallResult {
  callId: string;
  status: EraseStatus;
  /** S3 objects deleted (metadata and archived audio). */
  objects: number;
  /** DynamoDB items deleted (consent, audit events, recording ledger). */
  items: number;
  /** SignalWire recordings confirmed gone (204, or 404 = already gone). */
  signalwireDeleted: number;
  /** Whether SignalWire's copies were in scope: credentials configured or not. */
  signalwire: 'deleted' | 'not_configured' | 'none_found';
  /**
   * `incomplete` only: what the final listing still found, and writers still in flight when
   * the wait for them ended. The call stays closed to writers; run the erasure again.
   */
  remaining?: { objects: number; items: number; writersInFlight: number };
}

export interface EraseCallerResult {
  calls: EraseCallResult[];
}

/** Everything held about one call, as returned to the data subject (no raw caller number: none is stored). */
export interface CallExport {
  callId: string;
  consent: ConsentRecord | null;
  events: AuditEvent[];
  /** Recording metadata documents, wherever they are (normal retention or legal hold). */
  recordings: Array<RecordingMetadataDocument & { objectKey: string }>;
  /** Redacted transcripts of those recordings, wherever they are (a data subject's copy includes what was said). */
  transcripts: Array<TranscriptDocument & { objectKey: string }>;
  /** Every object key held for the call (audio is listed, not embedded). */
  objects: string[];
  /** Other table items (the recording ingest ledger, the hold marker), attributes as stored. */
  otherItems: Array<{ sk: string; attributes: Record<string, unknown> }>;
  legalHold: LegalHoldMarker | null;
}

export interface ExportDocument {
  kind: 'recording-agent-export';
  version: 1;
  exportedAt: string;
  subject: { callId: string } | { callerHash: string };
  calls: CallExport[];
}

/**
 * An export too big to answer inline (Lambda's 6 MB response limit), stored under `exports/`:
 * the operator downloads it from `url` (a presigned GET) before `urlExpiresAt`; the object
 * itself is deleted by the bucket's lifecycle within days, or by an erasure of its subject.
 */
export interface ExportRef {
  kind: 'recording-agent-export-ref';
  /** Object key in the recordings bucket. */
  key: string;
  /** Size of the stored JSON document. */
  bytes: number;
  /** Number of calls in it. */
  calls: number;
  url: string;
  urlExpiresAt: string;
}

export interface LegalHoldResult {
  callId: string;
  status: 'held' | 'already_held' | 'released' | 'not_held' | 'incomplete';
  /** Objects moved to (hold) or back from (release) the legal-hold/ prefix in this run. */
  objectsMoved: number;
  /** Table items whose expiresAt was removed (hold) or set again (release). */
  itemsUpdated: number;
  /** `incomplete` only: what is still out of place, and writers still in flight; run it again. */
  remaining?: { objects: number; items: number; writersInFlight: number };
}

/** The call is under legal hold: erasure is refused and nothing was changed. */
export class LegalHoldError extends Error {
  override name = 'LegalHoldError';
  constructor(readonly callIds: string[]) {
    super(
      `call${callIds.length === 1 ? '' : 's'} ${callIds.join(', ')} under legal hold: erasure refused, nothing changed ` +
        '(release the hold first: hold --call-id <id> --release)',
    );
  }
}

/** Nothing at all is stored for this call id (typo, or already expired). */
export class CallNotFoundError extends Error {
  override name = 'CallNotFoundError';
  constructor(readonly callId: string) {
    super(`nothing is stored for call ${callId}`);
  }
}
