import { getConfig } from '#shared/config.js';
import { signalwireHandler } from '#shared/http/handler.js';
import { recordingStatusCore } from '#shared/recordings/recording-status-core.js';

getConfig(); // validate configuration at cold start: a bad deploy fails at init, not on a recording callback

/**
 * POST /recording-status: record_call status callbacks → exactly-once metadata, audit and
 * transcription job. SignalWire's docs are silent on whether these callbacks are signed, so a
 * signature is verified when present (and a signing key is configured), never required.
 */
export const handler = signalwireHandler(recordingStatusCore, { signature: 'when-present' });
