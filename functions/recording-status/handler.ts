import { getConfig } from '#shared/config.js';
import { signalwireHandler } from '#shared/http/handler.js';
import { recordingStatusCore } from '#shared/recordings/recording-status-core.js';
import { recordingStatusTokenAuth } from '#shared/recordings/status-auth.js';

getConfig(); // validate configuration at cold start: a bad deploy fails at init, not on a recording callback

/**
 * POST /recording-status: record_call status callbacks → exactly-once metadata, audit and
 * transcription job. Admitted on basic auth or the call's signed decision in the status_url
 * (shared/recordings/status-auth.ts). SignalWire's docs are silent on whether these callbacks are
 * signed, so a signature is checked when present (and a signing key is configured), never
 * required, and a mismatch is counted and logged rather than dropping the recording.
 */
export const handler = signalwireHandler(recordingStatusCore, {
  signature: 'when-present',
  tokenAuth: recordingStatusTokenAuth,
});
