import type { ConsentStore, AuditEventType } from '../consent/types.js';
import { isRecordCallAction, isStopRecordCallAction, type FunctionResult } from '../swaig/function-result.js';

/** Tools whose record_call starts a recording (the rest resume one) and whose stop is final. */
const STARTS = new Set(['get_recording_consent', 'start_recording']);
const STOPS = new Set(['stop_recording', 'get_recording_consent']);

/**
 * Audit what a result is about to do to the recording. A start/resume that cannot be audited
 * does not happen (its actions are removed): no recording without a trail.
 */
export async function auditRecordingActions(
  result: FunctionResult,
  toolName: string,
  callId: string,
  consent: ConsentStore,
): Promise<FunctionResult> {
  const events: AuditEventType[] = [];
  for (const action of result.actions) {
    if (isRecordCallAction(action)) events.push(STARTS.has(toolName) ? 'recording_started' : 'recording_resumed');
    else if (isStopRecordCallAction(action)) events.push(STOPS.has(toolName) ? 'recording_stopped' : 'recording_paused');
  }
  for (const type of events) {
    try {
      await consent.appendEvent(callId, { type, detail: { tool: toolName } });
    } catch {
      if (type === 'recording_started' || type === 'recording_resumed') {
        return result.withActions(result.actions.filter((a) => !isRecordCallAction(a)));
      }
    }
  }
  return result;
}
