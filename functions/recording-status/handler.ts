import { signalwireHandler } from '../../shared/http/handler.js';
import { recordingStatusCore } from '../../shared/recordings/http.js';

/** POST /recording-status: record_call status callbacks → exactly-once metadata, audit and transcription job. */
export const handler = signalwireHandler(recordingStatusCore);
