import type { AuditEvent } from '#shared/consent/types.js';
import type { PrivacyDeps } from './deps.js';

/** A call's audit trail, oldest first (what `recording-agent audit <call_id>` prints). */
export async function auditTimeline(callId: string, deps: PrivacyDeps): Promise<AuditEvent[]> {
  return deps.consent.listEvents(callId);
}

/**
 * One line per event: time, type, then detail as `key=value` pairs. Details hold only codes,
 * counts and names (the consent store sanitizes them on write), so they are safe to print.
 */
export function formatTimeline(callId: string, events: AuditEvent[]): string {
  if (events.length === 0) return `no audit events for call ${callId}`;
  const width = Math.max(...events.map((e) => e.type.length));
  return events
    .map((event) => {
      const detail = Object.entries(event.detail ?? {})
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(' ');
      return `${event.at}  ${event.type.padEnd(width)}${detail ? `  ${detail}` : ''}`.trimEnd();
    })
    .join('\n');
}
