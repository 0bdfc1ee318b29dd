import { consentExpiresAt } from './transitions.js';
import type { ConsentStore, RecordingControl } from './types.js';
import { ConsentStoreUnavailableError } from './types.js';

/**
 * Whether a recording runs, per call and control id (issue #11 point 2): the state machine both
 * the SWAIG tools (what we emit) and the record_call status callbacks (what SignalWire says)
 * move, stored as one item per control id and changed by conditional single-item writes only.
 */

/** The control id every recording of the agent uses (callbacks without one are read as this). */
export const AGENT_CONTROL_ID = 'main';

/** How many ended segment ids an item remembers (late or replayed callbacks for them change nothing). */
const MAX_ENDED = 16;
/** Optimistic-concurrency attempts before contention counts as a storage fault. */
const MAX_ATTEMPTS = 8;

export type ControlFields = Pick<RecordingControl, 'status' | 'recordingId' | 'ended' | 'collecting' | 'segment'>;

export const isRunning = (control: ControlFields): boolean => control.status !== 'idle';

/** A status callback's effect on the control item, or undefined when it changes nothing. */
export function afterCallback(
  current: ControlFields,
  state: 'recording' | 'paused' | 'finished' | 'no_input' | 'error',
  recordingId: string,
  segment?: number,
): ControlFields | undefined {
  if (current.ended.includes(recordingId)) return undefined;
  // A segment before the one we last started: it ended (we stopped it before starting another).
  if (segment !== undefined && current.segment !== undefined && segment < current.segment) {
    return { ...current, ended: [...current.ended, recordingId].slice(-MAX_ENDED) };
  }
  if (state === 'recording' || state === 'paused') {
    const status = state;
    if (current.status === status && current.recordingId === recordingId) return undefined;
    // Another segment is known to run: keep tracking it (this one is an incident, see the
    // webhook), so a callback for the stranger can never mark the control id free.
    if (current.status !== 'idle' && current.recordingId !== undefined && current.recordingId !== recordingId) return undefined;
    return { ...current, status, recordingId };
  }
  const ended = [...current.ended, recordingId].slice(-MAX_ENDED);
  // Only the segment known to run frees the control id: the one SignalWire named, or (not yet
  // named) the one our status_url tagged with the current segment number. Any other does not:
  // never a false "nothing runs", which would let a second record_call out. An untagged callback
  // for a segment not yet named leaves the id taken until a stop tool (fails closed).
  const isCurrent =
    current.recordingId === recordingId ||
    (current.recordingId === undefined && segment !== undefined && segment === current.segment);
  if (!isCurrent || current.status === 'idle') return { ...current, ended };
  return { ...current, status: 'idle', recordingId: undefined, ended };
}

/** Our stop_record_call went out: nothing runs under the id any more (its segment's callbacks may still come). */
export function afterStop(current: ControlFields): ControlFields {
  const ended = current.recordingId ? [...current.ended, current.recordingId].slice(-MAX_ENDED) : current.ended;
  return { ...current, status: 'idle', recordingId: undefined, ended };
}

const same = (a: ControlFields, b: ControlFields): boolean =>
  a.status === b.status &&
  a.recordingId === b.recordingId &&
  a.collecting === b.collecting &&
  a.segment === b.segment &&
  a.ended.length === b.ended.length &&
  a.ended.every((id, i) => b.ended[i] === id);

export interface ControlUpdate<T> {
  next: ControlFields | undefined;
  value: T;
}

/**
 * Read the control item (a missing one reads as `initial`), let `decide` choose the next state,
 * and write it only if nobody wrote in between (else read again and decide again). Returns what
 * the last `decide` returned, with the state as stored. Storage faults propagate (callers fail
 * closed); endless contention is reported as {@link ConsentStoreUnavailableError}.
 */
export async function updateRecordingControl<T>(
  store: ConsentStore,
  ids: { callId: string; controlId: string },
  initial: ControlFields['status'],
  retentionDays: number,
  decide: (current: ControlFields) => ControlUpdate<T>,
  now: () => Date = () => new Date(),
): Promise<{ value: T; control: ControlFields; version: number | undefined }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const stored = await store.getRecordingControl(ids.callId, ids.controlId);
    const current: ControlFields = stored ?? { status: initial, ended: [], collecting: false };
    const { next, value } = decide(current);
    if (!next || (stored && same(current, next))) return { value, control: current, version: stored?.version };
    const at = now();
    const version = (stored?.version ?? 0) + 1;
    const control: RecordingControl = {
      callId: ids.callId,
      controlId: ids.controlId,
      status: next.status,
      ...(next.recordingId === undefined ? {} : { recordingId: next.recordingId }),
      ended: next.ended,
      collecting: next.collecting,
      ...(next.segment === undefined ? {} : { segment: next.segment }),
      version,
      updatedAt: at.toISOString(),
      expiresAt: consentExpiresAt(at, retentionDays),
    };
    if (await store.putRecordingControl(control, stored?.version)) return { value, control: next, version };
  }
  throw new ConsentStoreUnavailableError('recording state kept changing; gave up');
}
