import type { RecordingMode } from '#shared/config.js';
import { RetryableError } from '#shared/errors.js';
/**
 * The consent engine's vocabulary: what we store per call, what the audit trail holds, and the
 * port ({@link ConsentStore}) that the DynamoDB adapter and the in-memory test double implement.
 */

/** Where a call stands on recording consent. `declined` and `withdrawn` are terminal for recording. */
export type ConsentState = 'pending' | 'granted' | 'declined' | 'withdrawn';

/** Whether one party (our agent) may consent alone, or every party must. */
export type ConsentRule = 'one-party' | 'all-party';

/** A legal area whose wiretap/eavesdropping statute decides which {@link ConsentRule} applies. */
export interface Jurisdiction {
  /** e.g. 'US-CA', 'CA' (Canada), 'GB', or 'unknown'. */
  code: string;
  name: string;
  rule: ConsentRule | 'unknown';
  /** The statute (or case) the rule comes from, so reviewers can check our reading. */
  citation: string;
  /** Why the entry is disputed and which reading we chose (always the stricter). */
  note?: string;
}

/** The one consent item per call (sk = CONSENT). */
export interface ConsentRecord {
  callId: string;
  state: ConsentState;
  /** {@link Jurisdiction.code} decided at call start. */
  jurisdiction: string;
  rule: ConsentRule | 'unknown';
  /** Which consent policy (word lists, rules) produced the state: evidence for later review. */
  policyVersion: string;
  updatedAt: string;
  /** Optimistic-concurrency counter; every change increments it. */
  version: number;
  /** Keyed hash of the caller's number (never the number itself). */
  callerHash?: string;
  /** Epoch seconds; DynamoDB TTL deletes the item after this. */
  expiresAt: number;
  legalHold?: boolean;
  /** Category of the utterance/evidence behind the latest state change (never the raw text). */
  evidence?: string;
  /**
   * The recording mode the SWML document decided for this call (with `jurisdiction` and
   * `callerHash`, the call's {@link CallDecision}). Absent when the record was not created from a
   * decision (an unannounced call, or one stored before decisions were kept): read as consent-first.
   */
  mode?: RecordingMode;
}

/**
 * What the SWML document decided for a call when it was served: the recording mode, the
 * jurisdiction whose rule applies and the keyed hash of the caller's number. Fixed then, stored
 * with the call's consent record on first use (shared/consent/call-decision.ts), and never taken
 * from a later request's `global_data` or caller fields.
 */
export interface CallDecision {
  mode: RecordingMode;
  jurisdiction: Jurisdiction;
  callerHash?: string;
}

export type AuditEventType =
  | 'call_started'
  | 'disclosure_given'
  | 'consent_granted'
  | 'consent_declined'
  | 'consent_withdrawn'
  | 'recording_started'
  | 'recording_paused'
  | 'recording_resumed'
  | 'recording_stopped'
  | 'recording_blocked'
  | 'recording_skipped'
  | 'recording_confirmed'
  | 'recording_incident'
  | 'secure_tool_used'
  | 'payment_attempted'
  | 'payment_result'
  | 'recording_stored'
  | 'recording_no_input'
  | 'recording_error'
  | 'erased'
  | 'legal_hold_set'
  | 'legal_hold_released'
  /** SignalWire's copy of a recording was deleted once ours was archived (shared/recordings/signalwire-copy.ts). */
  | 'signalwire_copy_deleted'
  /** A recording's redacted transcript was stored (shared/recordings/transcript-completion-core.ts). */
  | 'transcript_stored'
  /** Transcribe could not transcribe a recording (no transcript exists). */
  | 'transcript_failed';

/** One entry of a call's append-only audit trail. */
export interface AuditEvent {
  type: AuditEventType;
  /** ISO-8601 timestamp at which the event was written. */
  at: string;
  /** Small structured facts (tool name, result code…). Never free text from the caller. */
  detail?: Record<string, string | number | boolean>;
}

/**
 * Whether a recording runs under one control id of a call, as the server knows it (sk =
 * `RECCTL#<controlId>`): from the `record_call` / `stop_record_call` actions our tools emit and
 * from SignalWire's status callbacks. `starting`: we emitted record_call, SignalWire has not
 * confirmed yet; `recording` / `paused`: SignalWire said so. Anything but `idle` occupies the
 * control id: no second record_call for it. Changed only by a put conditional on `version`.
 */
export interface RecordingControl {
  callId: string;
  controlId: string;
  status: 'idle' | 'starting' | 'recording' | 'paused';
  /** SignalWire's id of the running segment, once a callback named it. */
  recordingId?: string;
  /** Segments that ended (newest last, a few): a late or replayed callback for one changes nothing. */
  ended: string[];
  /** A secure tool is collecting sensitive data (secure_mode … normal_mode): no record_call meanwhile. */
  collecting: boolean;
  /**
   * Number of the last segment we started (tagged into its record_call's status_url as
   * `segment`), so a callback of an earlier segment, in whatever order it arrives, never frees
   * or takes the control id of the current one.
   */
  segment?: number;
  version: number;
  updatedAt: string;
  expiresAt: number;
}

/** Port for consent and audit storage; see `DynamoConsentStore` and `InMemoryConsentStore`. */
export interface ConsentStore {
  /** The call's consent record; throws {@link CallErasedError} for an erased call (whatever a racing write left). */
  getConsent(callId: string): Promise<ConsentRecord | undefined>;
  /**
   * Create the pending record for a call if none exists (idempotent); returns the stored record.
   * The first record wins: a later `init` (another decision, another caller) changes nothing.
   * Throws {@link CallErasedError} for an erased call.
   */
  ensureCall(callId: string, init: CallInit): Promise<ConsentRecord>;
  /**
   * Conditional state change; 'withdrawn' and 'declined' are terminal for recording: a later
   * 'granted' is refused (throws {@link ConsentConflictError}). Creates the record (jurisdiction
   * unknown) if the call has none.
   */
  setConsent(callId: string, state: Exclude<ConsentState, 'pending'>, evidence: { category: string }): Promise<ConsentRecord>;
  /**
   * Append-only (conditional put, never overwrites). detail must never carry free text from the
   * caller. An `erased` event is the erasure tombstone: see {@link markErased}.
   */
  appendEvent(callId: string, event: { type: AuditEventType; detail?: AuditEvent['detail'] }): Promise<void>;
  /**
   * Write the call's erasure tombstone (the `erased` audit event, once per call; a second call
   * keeps the first). From then on every write for the call (ensureCall, setConsent,
   * appendEvent) and getConsent throw {@link CallErasedError} — unless the call is under legal
   * hold, which beats erasure (the DynamoDB store reads the hold marker; the in-memory one has no
   * holds).
   */
  markErased(callId: string, detail: AuditEvent['detail']): Promise<void>;
  /** The call's audit trail, oldest first. */
  listEvents(callId: string): Promise<AuditEvent[]>;
  /** The recording state of one control id of the call; undefined when nothing was ever stored for it. */
  getRecordingControl(callId: string, controlId: string): Promise<RecordingControl | undefined>;
  /**
   * Store the recording state if the stored one is still at `expectedVersion` (absent when
   * undefined): one conditional single-item write. False when someone else wrote first (read
   * again and re-decide). Throws {@link CallErasedError} for an erased call.
   */
  putRecordingControl(control: RecordingControl, expectedVersion: number | undefined): Promise<boolean>;
  /** Call ids recorded for a caller hash (via the byCaller GSI). */
  callsForCaller(callerHash: string): Promise<string[]>;
}

/** What `ensureCall` stores for a new call: the decided facts; `mode` absent = not decided (consent-first). */
export interface CallInit {
  jurisdiction: Jurisdiction;
  callerHash?: string;
  mode?: RecordingMode;
}

/**
 * The call was erased (its tombstone exists): nothing about it may be stored again, and no
 * recording may start. Not retryable: it is the answer, not a fault.
 */
export class CallErasedError extends Error {
  override name = 'CallErasedError';
}

/** A state change the consent rules forbid (e.g. granting after a withdrawal). Maps to "don't record". */
export class ConsentConflictError extends Error {
  override name = 'ConsentConflictError';
}

/** Consent storage could not be reached or answered with a fault: callers fail closed / answer 503. */
export class ConsentStoreUnavailableError extends RetryableError {
  override name = 'ConsentStoreUnavailableError';
}
