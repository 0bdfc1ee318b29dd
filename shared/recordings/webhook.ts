import { createHash } from 'node:crypto';
import * as z from '#shared/validation/zod.js';
import { DEFAULTS } from '#shared/config.js';
import { badRequest } from '#shared/http/errors.js';
import { recordingUuidFromUrl } from '#shared/signalwire/recordings.js';
import { isSafeId, isUuid } from '#shared/validation/ids.js';
import { zodIssuesMessage } from '#shared/validation/zod-message.js';

/**
 * SignalWire's `record_call` status callback, normalized.
 *
 * Three shapes arrive at the same route (docs/protocol.md §3): SignalWire's current one
 * (`{event_type: "calling.call.record", params: {call_id, control_id, state, recording_id, url,
 * duration, size, start_time, end_time, record: {audio: {format, direction, stereo}}}}`), its older
 * nested one (`params.record = {url, duration, size, format}`, some senders putting
 * url/duration/size flat in `params`), and the teaching example's simplified flat
 * `{call_id, recording_url, duration, status: "completed"}`. Everything downstream sees only
 * {@link RecordingEvent}.
 */

/** Lifecycle of one recording segment; only `finished` carries the file. */
type RecordingState = 'recording' | 'paused' | 'finished' | 'no_input' | 'error';

export interface RecordingEvent {
  callId: string;
  controlId?: string;
  state: RecordingState;
  /** SignalWire's URL of the audio (https; http only for localhost in local tests). */
  url?: string;
  durationSeconds?: number;
  sizeBytes?: number;
  format?: string;
  /** When the segment started / ended, as SignalWire sent them (current shape only; unit undocumented). */
  startTime?: number | string;
  endTime?: number | string;
  /**
   * Deterministic: replays of the same callback yield the same id (the idempotency key). SignalWire's
   * own `params.recording_id` when the callback carries one, else {@link deriveRecordingId}.
   */
  recordingId: string;
  /**
   * `params.recording_id` exactly when SignalWire sent it (any state, lower-cased UUID): the id its
   * Recordings REST API deletes (docs/protocol.md §6). Absent for shapes without one, whose
   * `recordingId` may be derived and then names nothing at SignalWire.
   */
  signalwireRecordingId?: string;
  shape: 'signalwire' | 'simplified';
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_URL_LENGTH = 2048;

const numeric = z.union([z.number(), z.pipe(z.string().check(z.trim(), z.regex(/^\d+(\.\d+)?$/)), z.transform(Number))]);
/**
 * A number within what a real recording can have. zod 4 numbers are finite already, but 1e200 is
 * finite too: beyond these bounds it is poison (DynamoDB cannot store it, so every retry would
 * fail), a 400 rather than a 503 SignalWire retries forever.
 */
const bounded = (max: number) => z.optional(z.pipe(numeric, z.number().check(z.nonnegative(), z.lte(max))));
/** A week: far beyond any call SignalWire records. */
const MAX_DURATION_SECONDS = 7 * 86_400;
/** 10 GiB: a week of stereo WAV is about 8 GiB. */
const MAX_SIZE_BYTES = 10 * 1024 ** 3;
const duration = bounded(MAX_DURATION_SECONDS);
const size = bounded(MAX_SIZE_BYTES);
const text = z.string().check(z.minLength(1), z.maxLength(MAX_URL_LENGTH));
const optionalText = z.optional(text);
/** The SWML `record_call` formats, in any case (stored lower-case); anything else is refused, never stored. */
const format = z.optional(
  z.pipe(
    z.string().check(z.regex(/^(mp3|wav|mp4)$/i)),
    z.transform((f) => f.toLowerCase()),
  ),
);
const state = z.string().check(z.minLength(1), z.maxLength(32));
/** Current shape: SignalWire's Recordings REST API id. Checked as a UUID in {@link parseRecordingWebhook}. */
const recordingIdField = z.optional(z.string().check(z.minLength(1), z.maxLength(64)));
/**
 * Current shape: `start_time`/`end_time`. Their type and unit are not documented, and a 400 on a
 * `finished` callback would lose the recording (SignalWire does not retry a 4xx), so they are
 * informational: a number or a short timestamp-like string is carried, anything else dropped.
 */
const timestamp = z.optional(
  z.catch(
    z.optional(
      z.union([
        // Up to epoch milliseconds in the year 2286: larger is no time, and DynamoDB could not store 1e200.
        z.number().check(z.nonnegative(), z.lte(1e13)),
        z.string().check(z.minLength(1), z.maxLength(40), z.regex(/^[0-9][0-9T:.,+\- Z]*$/i)),
      ]),
    ),
    undefined,
  ),
);

/** Current shape: `params.record` is the recording configuration; `format` is the SWML `record_call` enum. */
const AudioConfig = z.object({
  format: z.optional(z.enum(['mp3', 'wav', 'mp4'])),
});

const RecordDetails = z.object({
  url: optionalText,
  duration,
  size,
  format,
  audio: z.optional(AudioConfig),
});

const SignalWireBody = z.object({
  event_type: z.optional(z.literal('calling.call.record')),
  params: z.object({
    call_id: text,
    control_id: optionalText,
    state,
    recording_id: recordingIdField,
    record: z.optional(RecordDetails),
    url: optionalText,
    duration,
    size,
    format,
    start_time: timestamp,
    end_time: timestamp,
  }),
});

const SimplifiedBody = z.object({
  call_id: text,
  control_id: optionalText,
  recording_url: optionalText,
  url: optionalText,
  duration,
  size,
  format,
  status: z.optional(state),
  state: z.optional(state),
});

/** Both vocabularies (SignalWire's states and the example's statuses) onto one. */
const STATE_ALIASES: Record<string, RecordingState> = {
  recording: 'recording',
  'in-progress': 'recording',
  in_progress: 'recording',
  started: 'recording',
  paused: 'paused',
  finished: 'finished',
  completed: 'finished',
  no_input: 'no_input',
  'no-input': 'no_input',
  error: 'error',
  failed: 'error',
};

function normalizeState(raw: string): RecordingState {
  const key = raw.trim().toLowerCase();
  // Own keys only: "constructor" or "__proto__" must not resolve through the prototype.
  const state = Object.hasOwn(STATE_ALIASES, key) ? STATE_ALIASES[key] : undefined;
  // The raw value is ours to echo: it is bounded and never sensitive, but keep it short anyway.
  // The value is not echoed: an unknown state is sender-controlled text (it may carry personal data).
  if (!state) throw badRequest('invalid_state', 'unknown recording state');
  return state;
}

/** Ids become storage keys: see {@link isSafeId}. SignalWire's are UUIDs. */
function checkId(value: string, field: string): string {
  if (!isSafeId(value)) {
    throw badRequest('invalid_id', `${field} is not a valid identifier`);
  }
  return value;
}

/**
 * `params.recording_id` becomes the storage key and the id we DELETE at SignalWire: a UUID (as
 * SignalWire's are) that also passes the id rule, lower-cased so it matches the uuid
 * {@link deriveRecordingId} takes from a recording URL (a replay in the older shape gets the same id).
 */
function checkRecordingUuid(value: string): string {
  if (!isUuid(value)) throw badRequest('invalid_id', 'recording_id is not a valid recording id');
  return checkId(value.toLowerCase(), 'recording_id');
}

/** `host` matches an entry: exactly, or as a subdomain of an entry that starts with a dot. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((a) => (a.startsWith('.') ? h.endsWith(a.toLowerCase()) : h === a.toLowerCase()));
}

/**
 * The recording URL is stored and may later be fetched (archive, erasure): only https on one
 * of SignalWire's hosts, so nobody can make us store or fetch someone else's or an internal URL.
 * http and any port are let through for localhost, which is what the local stack serves. What
 * is stored is origin and path only: a query string or fragment (a signed link, or personal
 * data put there by a hostile sender) is dropped.
 */
function checkUrl(value: string, allowedHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest('invalid_url', 'recording url is not a valid URL');
  }
  if (url.username || url.password) throw badRequest('invalid_url', 'recording url must not carry credentials');
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw badRequest('invalid_url', 'recording url must be https');
  }
  if (!local && !hostAllowed(url.hostname, allowedHosts)) {
    throw badRequest('invalid_url', 'recording url is not on an allowed SignalWire host');
  }
  return `${url.origin}${url.pathname}`;
}

/**
 * The idempotency key of a recording: SignalWire's own recording uuid when the URL carries one
 * (stable across every replay of the callback), otherwise a name-based UUID (version 8, RFC
 * 9562) from a SHA-256 of what identifies the segment. Always UUID-shaped: it satisfies
 * the safe id pattern, and the log/audit redaction keeps UUIDs while it scrubs other digit runs.
 */
export function deriveRecordingId(callId: string, controlId: string | undefined, url: string | undefined): string {
  const fromUrl = url ? recordingUuidFromUrl(url) : undefined;
  if (fromUrl) return fromUrl;
  const bytes = createHash('sha256')
    .update(JSON.stringify([callId, controlId ?? '', url ?? '']))
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80; // version 8: custom (here, hash-derived)
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface Fields {
  callId: string;
  controlId: string | undefined;
  state: string;
  url: string | undefined;
  duration: number | undefined;
  size: number | undefined;
  format: string | undefined;
  recordingId?: string | undefined;
  startTime?: number | string | undefined;
  endTime?: number | string | undefined;
  shape: RecordingEvent['shape'];
}

function extract(body: unknown): Fields {
  const isNested = typeof body === 'object' && body !== null && 'params' in body;
  if (isNested) {
    const parsed = SignalWireBody.safeParse(body);
    if (!parsed.success)
      throw badRequest('invalid_payload', `recording callback: ${zodIssuesMessage(parsed.error, { root: 'body', limit: 5 })}`);
    const p = parsed.data.params;
    return {
      callId: p.call_id,
      controlId: p.control_id,
      state: p.state,
      url: p.record?.url ?? p.url,
      duration: p.record?.duration ?? p.duration,
      size: p.record?.size ?? p.size,
      format: p.record?.audio?.format ?? p.record?.format ?? p.format,
      recordingId: p.recording_id,
      startTime: p.start_time,
      endTime: p.end_time,
      shape: 'signalwire',
    };
  }
  const parsed = SimplifiedBody.safeParse(body);
  if (!parsed.success)
    throw badRequest('invalid_payload', `recording callback: ${zodIssuesMessage(parsed.error, { root: 'body', limit: 5 })}`);
  const b = parsed.data;
  const state = b.state ?? b.status;
  if (!state) throw badRequest('invalid_payload', 'recording callback: status is required');
  return {
    callId: b.call_id,
    controlId: b.control_id,
    state,
    url: b.recording_url ?? b.url,
    duration: b.duration,
    size: b.size,
    format: b.format,
    shape: 'simplified',
  };
}

/**
 * Validate and normalize a recording status callback. Throws a 400 {@link AppError} naming
 * what is wrong (never echoing values) for anything that is not a well-formed callback.
 */
export function parseRecordingWebhook(body: unknown, allowedHosts: readonly string[] = DEFAULTS.recordingHosts): RecordingEvent {
  const f = extract(body);
  const callId = checkId(f.callId, 'call_id');
  const controlId = f.controlId === undefined ? undefined : checkId(f.controlId, 'control_id');
  const state = normalizeState(f.state);
  const url = f.url === undefined ? undefined : checkUrl(f.url, allowedHosts);
  if (state === 'finished' && !url) throw badRequest('missing_url', 'a finished recording callback must carry the recording url');
  const signalwireRecordingId = f.recordingId === undefined ? undefined : checkRecordingUuid(f.recordingId);
  const recordingId = signalwireRecordingId ?? checkId(deriveRecordingId(callId, controlId, url), 'recording id');
  return {
    callId,
    ...(controlId === undefined ? {} : { controlId }),
    state,
    ...(url === undefined ? {} : { url }),
    ...(f.duration === undefined ? {} : { durationSeconds: f.duration }),
    ...(f.size === undefined ? {} : { sizeBytes: Math.round(f.size) }),
    ...(f.format === undefined ? {} : { format: f.format }),
    ...(f.startTime === undefined ? {} : { startTime: f.startTime }),
    ...(f.endTime === undefined ? {} : { endTime: f.endTime }),
    recordingId,
    ...(signalwireRecordingId === undefined ? {} : { signalwireRecordingId }),
    shape: f.shape,
  };
}
