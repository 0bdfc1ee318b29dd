import type { Config } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { audioKey } from '#shared/storage/layout.js';
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
  | { status: 'no_metadata' };

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

/** Download one recording's audio into the bucket; idempotent (an archived recording is skipped). */
export async function archiveRecordingAudio(job: RecordingJob, deps: ArchiveDeps): Promise<ArchiveResult> {
  const metadata = await deps.metadata.get(job.callId, job.recordingId);
  if (!metadata) return { status: 'no_metadata' };
  const key = audioKey(job.callId, job.recordingId, metadata.format);
  if (await deps.metadata.exists(key)) return { status: 'already_archived', key };

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
  await deps.metadata.putAudio(key, body, contentType);
  logger.info('recording audio archived', { recording_id: job.recordingId, bytes: body.byteLength });
  return { status: 'archived', key, bytes: body.byteLength };
}
