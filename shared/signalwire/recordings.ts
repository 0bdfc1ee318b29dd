import type { Config } from '#shared/config.js';
import { isUuid } from '#shared/validation/ids.js';
import { UUID_SOURCE } from '#shared/validation/personal-data.js';

/** SignalWire's recording uuid inside a recording URL (`…/recordings/<uuid>/download`, `…/recordings/<uuid>`). */
const RECORDING_UUID_IN_URL = new RegExp(`/recordings/(${UUID_SOURCE})(?:[/?#.]|$)`, 'i');

/** The uuid SignalWire knows a recording by (lower case), or undefined when the URL is not one of theirs. */
export function recordingUuidFromUrl(url: string): string | undefined {
  return RECORDING_UUID_IN_URL.exec(url)?.[1]?.toLowerCase();
}

export interface SignalWireCredentials {
  /** e.g. `https://example.signalwire.com` */
  spaceUrl: string;
  projectId: string;
  apiToken: string;
}

export interface SignalWireRecordingsOptions {
  /** Injected for tests; global fetch by default. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Deletes SignalWire's own copy of a recording (docs/protocol.md §6): SignalWire keeps recordings
 * until someone deletes them, so on erasure that someone is us. `DELETE
 * <space>/api/relay/rest/recordings/<uuid>` with basic auth `project_id:api_token`; 204 is
 * deleted, 404 already gone; anything else (or no answer) throws {@link SignalWireDeleteError}.
 */
export class SignalWireRecordings {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly authorization: string;
  private readonly base: string;

  constructor(credentials: SignalWireCredentials, options: SignalWireRecordingsOptions = {}) {
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.base = credentials.spaceUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${credentials.projectId}:${credentials.apiToken}`).toString('base64')}`;
  }

  async deleteRecording(uuid: string): Promise<'deleted' | 'already_gone'> {
    if (!isUuid(uuid)) {
      throw new RangeError('not a SignalWire recording uuid');
    }
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}/api/relay/rest/recordings/${uuid}`, {
        method: 'DELETE',
        headers: { Authorization: this.authorization, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new SignalWireDeleteError('network', { cause: error });
    }
    // Drain the body so the connection is released; its content is not needed.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return 'deleted'; // 204 documented; any 2xx means the same
    if (response.status === 404) return 'already_gone';
    throw new SignalWireDeleteError(response.status);
  }

  /**
   * One page of the project's recordings (docs/protocol.md §6): `GET
   * <space>/api/relay/rest/recordings`, then the page's `links.next` until there is none. A next
   * link is followed only on the space's own origin, so the credentials go nowhere else. Entries
   * without a recording uuid are skipped; anything but a 2xx JSON page throws {@link SignalWireListError}.
   */
  async listRecordings(pageUrl?: string): Promise<SignalWireRecordingPage> {
    const url = new URL(pageUrl ?? '/api/relay/rest/recordings', `${this.base}/`);
    if (url.origin !== new URL(this.base).origin) throw new SignalWireListError('foreign page link');
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        headers: { Authorization: this.authorization, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new SignalWireListError('network', { cause: error });
    }
    if (!response.ok) {
      await response.arrayBuffer().catch(() => undefined);
      throw new SignalWireListError(response.status);
    }
    const body = (await response.json().catch(() => undefined)) as { data?: unknown; links?: { next?: unknown } } | undefined;
    if (!body || !Array.isArray(body.data)) throw new SignalWireListError('not a recordings page');
    const recordings: SignalWireRecordingSummary[] = [];
    for (const entry of body.data as Record<string, unknown>[]) {
      const id = typeof entry?.id === 'string' ? entry.id.toLowerCase() : '';
      if (!isUuid(id)) continue;
      const created = typeof entry.created_at === 'string' ? new Date(entry.created_at) : undefined;
      recordings.push({
        id,
        ...(typeof entry.call_id === 'string' && entry.call_id ? { callId: entry.call_id } : {}),
        ...(created && !Number.isNaN(created.getTime()) ? { createdAt: created } : {}),
      });
    }
    const next = typeof body.links?.next === 'string' && body.links.next ? body.links.next : undefined;
    return { recordings, ...(next ? { next } : {}) };
  }
}

/** What the enforcer needs of one listed recording; the rest of SignalWire's entry is not read. */
export interface SignalWireRecordingSummary {
  /** SignalWire's recording uuid, lower case. */
  id: string;
  /** The call it belongs to, when the entry names one. */
  callId?: string;
  /** When SignalWire created it; absent or unparseable = retention cannot be counted, never deleted on age. */
  createdAt?: Date;
}

export interface SignalWireRecordingPage {
  recordings: SignalWireRecordingSummary[];
  /** The next page's link (`links.next`), absent on the last page. */
  next?: string;
}

/** Listing SignalWire's recordings failed (a status, no answer, or not a page we can read). */
class SignalWireListError extends Error {
  override name = 'SignalWireListError';
  constructor(
    readonly status: number | string,
    options?: { cause?: unknown },
  ) {
    super(`SignalWire did not list recordings (${typeof status === 'number' ? `HTTP ${status}` : status})`, options);
  }
}

/**
 * The client when all three SignalWire settings are configured, else undefined (erasure then
 * skips SignalWire). Deployed functions pass `await loadSignalWireProject(getConfig())`
 * (shared/aws/secrets.ts: env overlaid by the SignalWire secret); a plain {@link Config} is the env alone.
 */
export function signalWireRecordingsFromConfig(
  config: SignalWireRestConfig,
  options: SignalWireRecordingsOptions = {},
): SignalWireRecordings | undefined {
  const credentials = signalWireCredentials(config);
  return credentials && new SignalWireRecordings(credentials, options);
}

type SignalWireRestConfig = Pick<Config, 'SIGNALWIRE_PROJECT_ID' | 'SIGNALWIRE_API_TOKEN' | 'SIGNALWIRE_SPACE_URL'>;

/**
 * The one rule for SignalWire REST access, shared by deletion and the audio archive: project id,
 * API token and space URL, all three, or no REST access at all.
 */
export function signalWireCredentials(config: SignalWireRestConfig): SignalWireCredentials | undefined {
  const { SIGNALWIRE_PROJECT_ID: projectId, SIGNALWIRE_API_TOKEN: apiToken, SIGNALWIRE_SPACE_URL: spaceUrl } = config;
  return projectId && apiToken && spaceUrl ? { projectId, apiToken, spaceUrl } : undefined;
}

/** SignalWire did not confirm deleting a recording: erasure stopped before deleting anything locally; retry. */
export class SignalWireDeleteError extends Error {
  override name = 'SignalWireDeleteError';
  constructor(
    readonly status: number | 'network',
    options?: { cause?: unknown },
  ) {
    super(
      `SignalWire did not delete a recording (${status === 'network' ? 'no answer' : `HTTP ${status}`}); ` +
        'nothing was erased locally, retry the erasure',
      options,
    );
  }
}
