import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isSafeId } from '#shared/validation/ids.js';
import { dayOf } from '#shared/storage/day-index.js';
import { OneTimeStore, runAction, type Act } from './actions.js';
import { loadCall, type BucketReader } from './call-detail.js';
import { CONSENT_FILTERS, listCalls, type CallFilter, type ConsentLabel } from './calls.js';
import { html, type Html } from './html.js';
import { recentIncidents, recentRecordings, retentionOverview } from './overview.js';
import type { TableReader } from './queries.js';
import { admit, newSecrets, sameOriginPost, securityHeaders, sessionCookie, type ConsoleSecrets } from './security.js';
import { callView, type ActionOutcome } from './views/call.js';
import { callsView } from './views/calls.js';
import { page } from './views/layout.js';
import { incidentsView, recordingsView, retentionView } from './views/overview.js';

/** Where the console reads (Query/GetObject only) and how it acts (privacy operations only). */
export interface ConsoleSource {
  reader: TableReader;
  bucket: BucketReader;
  act: Act;
  retentionDays: number;
  /** The audit trail's requestedBy for actions taken here. */
  requestedBy: string;
  /** Shown in the header: which stack this is. */
  label: string;
  /** What to check when a read fails (shown on the error page). */
  readFailureHint: string;
  now?: () => Date;
}

export interface RunningConsole {
  /** The URL to open, with the session token. */
  url: string;
  origin: string;
  secrets: ConsoleSecrets;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
/** Days the recordings and incidents pages look back. */
const LOOKBACK_DAYS = 30;
const MAX_FORM_BYTES = 8 * 1024;

const STATIC: Record<string, { type: string; body: Buffer }> = Object.fromEntries(
  [
    ['console.css', 'text/css; charset=utf-8'],
    ['console.js', 'text/javascript; charset=utf-8'],
  ].map(([name, type]) => [
    `/static/${name}`,
    { type: type as string, body: readFileSync(new URL(`./static/${name}`, import.meta.url)) },
  ]),
);

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const isDay = (value: string | null): value is string =>
  value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));

function callFilter(url: URL, now: Date): CallFilter {
  const to = url.searchParams.get('to');
  const from = url.searchParams.get('from');
  const consent = url.searchParams.get('consent');
  return {
    to: isDay(to) ? to : dayOf(now),
    from: isDay(from) ? from : dayOf(new Date(now.getTime() - 6 * DAY_MS)),
    ...((CONSENT_FILTERS as readonly string[]).includes(consent ?? '') ? { consent: consent as ConsentLabel } : {}),
    ...(url.searchParams.get('held') === 'on' ? { held: true } : {}),
    ...(url.searchParams.get('incidents') === 'on' ? { incidents: true } : {}),
  };
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'forms only');
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The bucket endpoint's origin, where presigned audio URLs point: the CSP's only media source. */
async function mediaOriginOf(bucket: BucketReader): Promise<string | undefined> {
  try {
    return new URL(
      await getSignedUrl(bucket.client, new GetObjectCommand({ Bucket: bucket.bucket, Key: 'probe' }), { expiresIn: 60 }),
    ).origin;
  } catch {
    return undefined;
  }
}

/**
 * Starts the operator console on 127.0.0.1 only (never another interface) on `port` (0 = a
 * free one). Server-rendered pages; reads through the table's indexes, acts through the
 * privacy operations. See security.ts for what every request must carry.
 */
export async function startConsole(source: ConsoleSource, options: { port?: number } = {}): Promise<RunningConsole> {
  const secrets = newSecrets();
  const now = source.now ?? (() => new Date());
  const outcomes = new OneTimeStore<ActionOutcome>();
  const downloads = new OneTimeStore<string>();
  const mediaOrigin = await mediaOriginOf(source.bucket);
  let origin = '';

  const send = (response: ServerResponse, status: number, body: Html | string, type = 'text/html; charset=utf-8'): void => {
    response.writeHead(status, { 'Content-Type': type });
    response.end(String(body));
  };
  const render = (title: string, active: string, body: Html): string => String(page(title, active, body, source.label));

  async function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const asset = STATIC[path];
    if (request.method === 'GET' && asset) return send(response, 200, asset.body.toString('utf8'), asset.type);
    if (request.method === 'GET' && (path === '/' || path === '')) {
      response.writeHead(303, { Location: '/calls' });
      return void response.end();
    }
    if (request.method === 'GET' && path === '/calls') {
      const filter = callFilter(url, now());
      const calls = await listCalls(source.reader, filter, url.searchParams.get('cursor') ?? undefined);
      return send(response, 200, render('Calls', '/calls', callsView(filter, calls)));
    }
    const callMatch = /^\/calls\/([^/]+)(\/actions)?$/.exec(path);
    if (callMatch) {
      const callId = decodeURIComponent(callMatch[1] as string);
      if (!isSafeId(callId)) throw new HttpError(404, 'no such call id');
      if (callMatch[2]) {
        if (request.method !== 'POST') throw new HttpError(405, 'POST only');
        const form = await readForm(request);
        if (!sameOriginPost(request, form, secrets, origin)) throw new HttpError(403, 'missing or wrong CSRF token');
        const outcome = await runAction(callId, form, { act: source.act, requestedBy: source.requestedBy, downloads });
        response.writeHead(303, { Location: `/calls/${encodeURIComponent(callId)}?outcome=${outcomes.put(outcome)}` });
        return void response.end();
      }
      if (request.method !== 'GET') throw new HttpError(405, 'GET only');
      const detail = await loadCall(callId, source.reader, source.bucket, { retentionDays: source.retentionDays, now: now() });
      const outcome = outcomes.take(url.searchParams.get('outcome'));
      return send(response, 200, render(`Call ${callId}`, '/calls', callView(detail, secrets.csrfToken, outcome)));
    }
    const download = /^\/exports\/([A-Za-z0-9_-]+)$/.exec(path);
    if (request.method === 'GET' && download) {
      const document = downloads.take(download[1] as string);
      if (!document) throw new HttpError(404, 'this export was downloaded already or has expired: export again');
      response.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': 'attachment; filename="recording-agent-export.json"',
      });
      return void response.end(document);
    }
    if (request.method !== 'GET') throw new HttpError(405, 'GET only');
    const settings = { retentionDays: source.retentionDays, now: now(), days: LOOKBACK_DAYS };
    if (path === '/recordings') {
      const rows = await recentRecordings(source.reader, settings);
      return send(response, 200, render('Recordings', '/recordings', recordingsView(rows, LOOKBACK_DAYS)));
    }
    if (path === '/incidents') {
      const rows = await recentIncidents(source.reader, settings);
      return send(response, 200, render('Incidents', '/incidents', incidentsView(rows, LOOKBACK_DAYS)));
    }
    if (path === '/retention') {
      const overview = await retentionOverview(source.reader, settings);
      return send(response, 200, render('Retention', '/retention', retentionView(overview)));
    }
    throw new HttpError(404, 'not found');
  }

  const server: Server = createServer((request, response) => {
    securityHeaders(response, mediaOrigin);
    const url = new URL(request.url ?? '/', origin);
    const admission = admit(request, url, secrets, origin);
    if (admission === 'refused') {
      return send(
        response,
        403,
        'Forbidden: open the console with the URL it printed (session token required).',
        'text/plain; charset=utf-8',
      );
    }
    if (admission === 'url-token') {
      // Trade the token for the cookie and take it out of the address bar (and history).
      url.searchParams.delete('token');
      response.writeHead(303, { 'Set-Cookie': sessionCookie(secrets), Location: `${url.pathname}${url.search}` });
      return void response.end();
    }
    route(request, response, url).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message =
        error instanceof HttpError
          ? error.message
          : `the console could not read the stack (${error instanceof Error ? error.name : 'error'}); ${source.readFailureHint}`;
      if (!(error instanceof HttpError))
        process.stderr.write(`console: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (response.headersSent) return void response.end();
      send(response, status, render(status === 404 ? 'Not found' : 'Error', '', html`<p role="alert">${message}</p>`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/?token=${secrets.sessionToken}`,
    origin,
    secrets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
