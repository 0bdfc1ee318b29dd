import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for SignalWire's Recordings REST API (docs/protocol.md §6): there is no
 * SignalWire emulator, so this in-process node:http server answers what our client uses —
 * `GET /api/relay/rest/recordings` (paginated: `{data, links: {next}}`, `page_size` per page)
 * and `DELETE /api/relay/rest/recordings/<uuid>` (204, 404 when gone), plus any `GET …/download`
 * as a recording's audio (for the archive worker) — with basic auth
 * `project:token`, and fault injection: a status for the next requests, per uuid on delete, or
 * a dropped connection (network error).
 */
interface StoredRecording {
  id: string;
  call_id?: string;
  created_at: string;
}

export interface SignalWireRest {
  spaceUrl: string;
  projectId: string;
  apiToken: string;
  recordings: Map<string, StoredRecording>;
  /** Every request, `METHOD path`. */
  requests: string[];
  /** The next `count` requests (any) answer `status`, or drop the connection for 'network'. */
  failNext(status: number | 'network', count?: number): void;
  /** Deleting this uuid answers `status` until cleared. */
  failDelete(uuid: string, status: number): void;
  add(recording: StoredRecording): void;
  reset(): void;
  close(): Promise<void>;
}

const BASE = '/api/relay/rest/recordings';

export async function startSignalWireRest(options: { pageSize?: number } = {}): Promise<SignalWireRest> {
  const projectId = 'project-retention';
  const apiToken = 'PT-retention-token';
  const expected = `Basic ${Buffer.from(`${projectId}:${apiToken}`).toString('base64')}`;
  const recordings = new Map<string, StoredRecording>();
  const requests: string[] = [];
  const deleteFaults = new Map<string, number>();
  let faults: (number | 'network')[] = [];
  const pageSize = options.pageSize ?? 2;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push(`${req.method} ${url.pathname}`);
    const fault = faults.shift();
    if (fault === 'network') {
      req.socket.destroy();
      return;
    }
    if (fault !== undefined) {
      res.writeHead(fault).end();
      return;
    }
    if (req.headers.authorization !== expected) {
      res.writeHead(401).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === BASE) {
      const all = [...recordings.values()].sort((a, b) => a.id.localeCompare(b.id));
      const start = Number(url.searchParams.get('page_token') ?? '0');
      const data = all.slice(start, start + pageSize);
      const next = start + pageSize < all.length ? `${BASE}?page_token=${start + pageSize}` : null;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data, links: { self: url.pathname, next } }));
      return;
    }
    if (req.method === 'GET' && url.pathname.endsWith('/download')) {
      res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.from('ID3-fake-audio'));
      return;
    }
    const uuid = url.pathname.startsWith(`${BASE}/`) ? url.pathname.slice(BASE.length + 1) : '';
    if (req.method === 'DELETE' && uuid) {
      const status = deleteFaults.get(uuid);
      if (status) {
        res.writeHead(status).end();
        return;
      }
      res.writeHead(recordings.delete(uuid) ? 204 : 404).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const spaceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    spaceUrl,
    projectId,
    apiToken,
    recordings,
    requests,
    failNext(status, count = 1) {
      faults = Array.from({ length: count }, () => status);
    },
    failDelete(uuid, status) {
      deleteFaults.set(uuid, status);
    },
    add(recording) {
      recordings.set(recording.id, recording);
    },
    reset() {
      recordings.clear();
      requests.length = 0;
      deleteFaults.clear();
      faults = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
