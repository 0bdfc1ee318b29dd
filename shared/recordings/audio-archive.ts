import type { Config } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { audioKey, heldKey } from '#shared/storage/layout.js';
import type { WriteGate } from '#shared/storage/write-gate.js';
import { hostAllowed } from './webhook.js';
import { signalWireCredentials } from '#shared/signalwire/recordings.js';
import type { RecordingStore } from './recording-store.js';
import type { RecordingJob } from './job-queue.js';

/**
 * Optional audio archive: copy a finished recording's audio from SignalWire into our bucket,
 * next to its metadata (`recordings/<call_id>/<recording_id>.<format>`), so it expires (or is
 * held, or erased) with it. Runs as a worker on the transcription job, not inside the webhook:
 * a download can take longer than SignalWire waits for a status callback answer.
 *
 * Enabled only when SignalWire project credentials are configured; they are sent only to
 * SignalWire's own hosts (never to whatever host a callback names).
 */
export interface ArchiveDeps {
  metadata: RecordingStore;
  /**
   * The call's write gate (shared/storage/write-gate.ts): the audio is put inside it, so an
   * erasure, hold or release waits for the put, and the put goes where the call's state says.
   */
  gate: WriteGate;
  credentials: { projectId: string; apiToken: string };
  /** Host names the credentials may be sent to; a leading '.' allows subdomains. */
  allowedHosts: readonly string[];
  fetchImpl?: typeof fetch;
  maxBytes?: number;
  timeoutMs?: number;
}

export type ArchiveResult =
  | { status: 'archived'; key: string; bytes: number }
  | { status: 'already_archived'; key: string }
  /** The metadata is gone (erased after the job was queued): archiving would resurrect data. */
  | { status: 'no_metadata' }
  /** The call's erasure began while the audio downloaded: nothing written. */
  | { status: 'discarded_erased' };

/** A download we refuse or that failed; the job should go to the DLQ after its retries. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

const DEFAULT_MAX_AUDIO_BYTES = 200 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

const CONTENT_TYPES: Record<string, string> = { mp3: 'audio/mpeg', wav: 'audio/wav', mp4: 'audio/mp4' };

/**
 * Archive settings from the SignalWire project settings (in the cloud
 * `loadSignalWireProject(getConfig())`: env overlaid by the SignalWire secret; a whole
 * {@link Config} works too), or undefined when project credentials are not configured.
 */
export function archiveSettings(
  config: Pick<Config, 'SIGNALWIRE_PROJECT_ID' | 'SIGNALWIRE_API_TOKEN' | 'SIGNALWIRE_SPACE_URL'>,
): Pick<ArchiveDeps, 'credentials' | 'allowedHosts'> | undefined {
  const credentials = signalWireCredentials(config);
  if (!credentials) return undefined;
  return {
    credentials: { projectId: credentials.projectId, apiToken: credentials.apiToken },
    allowedHosts: [new URL(credentials.spaceUrl).hostname, '.signalwire.com'],
  };
}

/**
 * How long the gate waits on an archive put: the worker's whole timeout (2 min), since the put
 * of a large file is the last thing it does and Lambda ends the worker at the timeout.
 */
const ARCHIVE_PUT_LEASE_MS = 150_000;

/**
 * Download one recording's audio into the bucket; idempotent (an archived recording is skipped).
 *
 * Erasure and legal hold (issue #12 point 5): the job names the call and the recording, never a
 * key to trust, so a hold or release that moved the metadata meanwhile does not make it stale:
 * the metadata is read wherever it is. The download runs outside the call's write gate (it may
 * take a minute); the put runs inside it: an erasure that began meanwhile refuses it (the audio
 * is dropped, nothing written), and a held call's audio goes under legal-hold/ untagged, where
 * the hold keeps the rest of the call.
 */
export async function archiveRecordingAudio(job: RecordingJob, deps: ArchiveDeps): Promise<ArchiveResult> {
  const metadata = await deps.metadata.get(job.callId, job.recordingId);
  if (!metadata) return { status: 'no_metadata' };
  const key = audioKey(job.callId, job.recordingId, metadata.format);
  const held = heldKey(job.callId, key) as string;
  for (const existing of [key, held]) {
    if (await deps.metadata.exists(existing)) return { status: 'already_archived', key: existing };
  }

  const url = new URL(metadata.url);
  if (!hostAllowed(url.hostname, deps.allowedHosts)) {
    throw new ArchiveError('recording url is not on an allowed SignalWire host; credentials not sent');
  }
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_AUDIO_BYTES;
  const auth = Buffer.from(`${deps.credentials.projectId}:${deps.credentials.apiToken}`).toString('base64');
  const response = await (deps.fetchImpl ?? fetch)(url, {
    headers: { authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  if (!response.ok) throw new ArchiveError(`recording download answered ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new ArchiveError(`recording is larger than ${maxBytes} bytes`);
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.byteLength > maxBytes) throw new ArchiveError(`recording is larger than ${maxBytes} bytes`);

  const contentType = CONTENT_TYPES[metadata.format ?? ''] ?? 'application/octet-stream';
  const pass = await deps.gate.enter(job.callId, { leaseMs: ARCHIVE_PUT_LEASE_MS });
  if (pass === 'erased') {
    logger.warn('call erased while its recording downloaded: audio dropped', { recording_id: job.recordingId });
    return { status: 'discarded_erased' };
  }
  try {
    const target = pass.held ? held : key;
    await deps.metadata.putAudio(target, body, contentType, { retention: !pass.held });
    logger.info('recording audio archived', { recording_id: job.recordingId, bytes: body.byteLength, legal_hold: pass.held });
    return { status: 'archived', key: target, bytes: body.byteLength };
  } finally {
    await pass.leave();
  }
}
