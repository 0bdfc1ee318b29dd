import type { AuditEvent, AuditEventType } from '#shared/consent/types.js';

/**
 * A call's timeline as drawn on the call page: markers and recording bars on lanes, placed on
 * a time axis from 0 to 1. What happened during the call takes the left {@link CALL_SHARE} of
 * the axis, proportionally; what operators did afterwards (hold, release, erasure — often days
 * later) is spaced evenly after a visible break, so a late erasure does not squash the call.
 */
export const LANES = ['consent', 'recording', 'payment', 'incident', 'operator'] as const;
type Lane = (typeof LANES)[number];

interface Marker {
  lane: Lane;
  at: string;
  position: number;
  label: string;
  type: AuditEventType;
}

interface Bar {
  from: number;
  to: number;
  fromAt: string;
  toAt: string;
  /** Still running at the last event we know of (no pause or stop seen). */
  open: boolean;
}

export interface Timeline {
  start: string;
  end: string;
  markers: Marker[];
  bars: Bar[];
  /** Where the break to after-call operator events sits, when there are any. */
  breakAt?: number;
}

const CALL_SHARE = 0.8;

const LANE_OF: Partial<Record<AuditEventType, Lane>> = {
  call_started: 'consent',
  disclosure_given: 'consent',
  consent_granted: 'consent',
  consent_declined: 'consent',
  consent_withdrawn: 'consent',
  recording_started: 'recording',
  recording_paused: 'recording',
  recording_resumed: 'recording',
  recording_stopped: 'recording',
  recording_stored: 'recording',
  recording_blocked: 'recording',
  secure_tool_used: 'recording',
  payment_attempted: 'payment',
  payment_result: 'payment',
  recording_incident: 'incident',
  legal_hold_set: 'operator',
  legal_hold_released: 'operator',
  erased: 'operator',
  signalwire_copy_deleted: 'operator',
  transcript_stored: 'recording',
  transcript_failed: 'incident',
};

/** Operator events: drawn after the break when they come after the call's own events. */
const OPERATOR: ReadonlySet<AuditEventType> = new Set(['legal_hold_set', 'legal_hold_released', 'erased']);

/** A short label: the type in words, plus the one detail that matters for it (codes only). */
function labelOf(event: AuditEvent): string {
  const words = event.type.replace(/_/g, ' ');
  const d = event.detail ?? {};
  const extra =
    event.type === 'payment_result'
      ? d.outcome
      : event.type === 'recording_incident'
        ? d.reason
        : event.type === 'secure_tool_used'
          ? d.recordingActive === true
            ? 'while recording'
            : 'recording paused'
          : undefined;
  return extra === undefined ? words : `${words}: ${String(extra)}`;
}

export function buildTimeline(events: readonly AuditEvent[]): Timeline | undefined {
  const sorted = [...events].sort((a, b) => a.at.localeCompare(b.at));
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) return undefined;
  const callEvents = sorted.filter((e) => !OPERATOR.has(e.type));
  const callEnd = Date.parse((callEvents[callEvents.length - 1] ?? first).at);
  const callStart = Date.parse((callEvents[0] ?? first).at);
  const after = sorted.filter((e) => OPERATOR.has(e.type) && Date.parse(e.at) >= callEnd);
  const share = after.length > 0 ? CALL_SHARE : 1;
  const span = Math.max(1, callEnd - callStart);
  const position = (event: AuditEvent): number => {
    const index = after.indexOf(event);
    if (index >= 0) return CALL_SHARE + ((1 - CALL_SHARE) * (index + 1)) / (after.length + 1);
    return (share * (Date.parse(event.at) - callStart)) / span;
  };
  const markers: Marker[] = sorted.flatMap((event) => {
    const lane = LANE_OF[event.type];
    return lane ? [{ lane, at: event.at, position: position(event), label: labelOf(event), type: event.type }] : [];
  });
  return {
    start: first.at,
    end: last.at,
    markers,
    bars: recordingBars(callEvents, position),
    ...(after.length > 0 ? { breakAt: CALL_SHARE } : {}),
  };
}

/** What ends a segment: a pause or stop, and a refusal or withdrawal (which stops recording for good). */
const CLOSES: ReadonlySet<AuditEventType> = new Set([
  'recording_paused',
  'recording_stopped',
  'consent_withdrawn',
  'consent_declined',
]);

/** Segments from a start or resume to the next pause or stop: pauses and secure captures show as gaps. */
function recordingBars(events: readonly AuditEvent[], position: (event: AuditEvent) => number): Bar[] {
  const bars: Bar[] = [];
  let open: AuditEvent | undefined;
  for (const event of events) {
    if (event.type === 'recording_started' || event.type === 'recording_resumed') {
      open ??= event;
    } else if (CLOSES.has(event.type) && open) {
      bars.push({ from: position(open), to: position(event), fromAt: open.at, toAt: event.at, open: false });
      open = undefined;
    }
  }
  const last = events[events.length - 1];
  if (open && last) bars.push({ from: position(open), to: position(last), fromAt: open.at, toAt: last.at, open: true });
  return bars;
}
