import { TABLE } from './layout.js';

/**
 * The items of the `byDay` index (TABLE.dayIndex) and their keys. The operator console lists
 * calls, incidents and recordings of a day, and the held calls, with one Query each (newest
 * first), never a Scan. Partition = the UTC day (`YYYY-MM-DD`) or {@link HELD_PARTITION};
 * sort key = `<KIND>#<iso time>#<callId>[#<recording>]`, so a `begins_with` picks one kind and
 * the ISO time orders it.
 *
 * A whole day in one partition is fine at this agent's volume (a GSI partition takes 1,000
 * writes a second); a busier deployment would suffix the day with a shard number.
 */
export const LIST_KINDS = {
  call: 'CALL#',
  incident: 'INCIDENT#',
  recording: 'RECORDING#',
  erased: 'ERASED#',
  hold: 'HOLD#',
} as const;
export type ListKind = keyof typeof LIST_KINDS;

/** Partition of the legal-hold markers: "what is held" is one small Query, whatever the day. */
export const HELD_PARTITION = 'HELD';

/** The UTC day of an ISO time or Date, as the index partitions by it. */
export const dayOf = (at: string | Date): string => (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 10);

/** The two index attributes of an item of `kind` that happened at `at`. */
export function dayIndexAttributes(kind: ListKind, at: string, callId: string, suffix?: string): Record<string, string> {
  const partition = kind === 'hold' ? HELD_PARTITION : dayOf(at);
  return {
    [TABLE.dayIndex.partitionKey]: partition,
    [TABLE.dayIndex.sortKey]: `${LIST_KINDS[kind]}${at}#${callId}${suffix === undefined ? '' : `#${suffix}`}`,
  };
}

/**
 * Audit events the console lists as incidents: a recording the consent state did not allow
 * (or one SignalWire made without telling us), a recording stored without granted consent (its
 * `recording_stored` event says `consent: missing`; no `recording` callback may have come for
 * it), and sensitive data collected while recording.
 */
export function isIncidentEvent(type: string, detail: Record<string, unknown> | undefined): boolean {
  return (
    type === 'recording_incident' ||
    (type === 'recording_stored' && detail?.consent === 'missing') ||
    (type === 'secure_tool_used' && detail?.recordingActive === true)
  );
}
