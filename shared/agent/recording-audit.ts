import type { AuditEvent, ConsentStore, AuditEventType } from '#shared/consent/types.js';
import { AGENT_CONTROL_ID, isRunning } from '#shared/consent/recording-control.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { isRecordCallAction, isStopRecordCallAction, type FunctionResult } from '#shared/swaig/function-result.js';
import { withoutRecording } from './consent-gate.js';

/** Tools whose record_call starts a recording (the rest resume one) and whose stop is final. */
const STARTS = new Set(['get_recording_consent', 'start_recording']);
const STOPS = new Set(['stop_recording', 'get_recording_consent']);

/**
 * Audit what a result is about to do to the recording. A start/resume that cannot be audited
 * does not happen (its actions are removed and the AI is told recording is off): no recording
 * without a trail. A stop or pause goes ahead unaudited (stopping is always safe), logged.
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
    } catch (error) {
      logger.error('could not audit a recording action', { event: type, tool: toolName, error });
      if (type === 'recording_started' || type === 'recording_resumed') {
        countMetric(MetricName.RecordingBlocked);
        return withoutRecording(result, 'the recording could not be audited');
      }
    }
  }
  return result;
}

const RECORDING_EVENTS: ReadonlySet<AuditEventType> = new Set([
  'recording_started',
  'recording_resumed',
  'recording_paused',
  'recording_stopped',
]);

/** Whether the call's audit trail says a recording is running (its last recording event started or resumed one). */
function recordingActive(events: readonly AuditEvent[]): boolean {
  const last = [...events].reverse().find((e) => RECORDING_EVENTS.has(e.type));
  return last?.type === 'recording_started' || last?.type === 'recording_resumed';
}

/**
 * Audit a secure tool's use (its name, never its arguments). The prompt tells the agent to pause
 * before sensitive data is spoken; if the trail shows the recording was running when the data
 * arrived, the data is in that recording: a compliance incident to alarm on, so an operator can
 * erase or redact it. Failing to read the trail is logged, never fatal to the call.
 */
export async function auditSecureToolUse(toolName: string, callId: string, consent: ConsentStore): Promise<void> {
  try {
    // The stored recording state when there is one (it knows SignalWire's callbacks too), else the trail.
    const control = await consent.getRecordingControl(callId, AGENT_CONTROL_ID);
    const active = control ? isRunning(control) : recordingActive(await consent.listEvents(callId));
    await consent.appendEvent(callId, { type: 'secure_tool_used', detail: { tool: toolName, recordingActive: active } });
    if (active) {
      countMetric(MetricName.SensitiveWhileRecording);
      logger.error('incident: sensitive data taken while recording', { tool: toolName });
    }
  } catch (error) {
    logger.error('could not audit secure tool use', { error });
  }
}
