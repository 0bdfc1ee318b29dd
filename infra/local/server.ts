import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { fakeLambdaContext, toApiGatewayEvent, writeApiGatewayResult } from './api-gateway.js';

/** A Lambda handler as the functions export it (middy-wrapped); the result is API Gateway's. */
export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

export interface LocalRoute {
  method: 'GET' | 'POST';
  path: string;
  /** Lambda function name reported in the fake context (and so in the logs). */
  functionName: string;
  /** Imports the handler module on first use, after the environment is set. */
  load: () => Promise<LambdaHandler>;
}

export interface LocalServerOptions {
  port: number;
  host?: string;
  routes: LocalRoute[];
  /** Bigger bodies are refused at the door; the functions enforce their own, smaller limit. */
  maxBodyBytes?: number;
}

export interface LocalServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Path of the local-only liveness probe the CLI uses to tell a live stack from a stale endpoints.json. */
export const HEALTH_PATH = '/__local/health';

const DEFAULT_MAX_BODY = 1024 * 1024;

class ModuleMissing extends Error {
  override name = 'ModuleMissing';
}

/**
 * A handler module that imports lazily, so a function another engineer has not written yet
 * breaks only its own route (501) and starts working as soon as the file exists.
 */
export function lazyHandler(specifier: string, exportName = 'handler'): () => Promise<LambdaHandler> {
  let loaded: LambdaHandler | undefined;
  return async function loadHandler() {
    if (loaded) return loaded;
    let module: Record<string, unknown>;
    try {
      module = (await import(specifier)) as Record<string, unknown>;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url/i.test(String(error))) {
        throw new ModuleMissing(`${specifier} is not available: ${(error as Error).message.split('\n')[0]}`);
      }
      throw error;
    }
    const candidate = module[exportName];
    if (typeof candidate !== 'function') throw new ModuleMissing(`${specifier} does not export ${exportName}()`);
    loaded = candidate as LambdaHandler;
    return loaded;
  };
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** Reads the whole body; over the cap it keeps draining (so the client sees our answer) but keeps nothing. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function normalisePath(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

async function dispatch(request: IncomingMessage, response: ServerResponse, options: LocalServerOptions): Promise<void> {
  const path = normalisePath(request.url);
  const method = (request.method ?? 'GET').toUpperCase();
  if (path === HEALTH_PATH && method === 'GET') {
    request.resume();
    sendJson(response, 200, { ok: true, pid: process.pid });
    return;
  }
  const candidates = options.routes.filter((r) => r.path === path);
  const route = candidates.find((r) => r.method === method);
  if (!route) {
    request.resume();
    if (candidates.length > 0) {
      const allow = candidates.map((r) => r.method).join(', ');
      sendJson(response, 405, errorBody('method_not_allowed', `${method} is not allowed on ${path}`), { allow });
    } else {
      sendJson(response, 404, errorBody('not_found', `no route for ${method} ${path}`));
    }
    return;
  }
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) {
    request.resume();
    sendJson(response, 413, errorBody('payload_too_large', `request body exceeds ${limit} bytes`), { connection: 'close' });
    return;
  }
  const body = await readBody(request, limit);
  if (body === 'too-large') {
    sendJson(response, 413, errorBody('payload_too_large', `request body exceeds ${limit} bytes`));
    return;
  }
  let handler: LambdaHandler;
  try {
    handler = await route.load();
  } catch (error) {
    if (error instanceof ModuleMissing) {
      sendJson(response, 501, errorBody('not_implemented', `${route.functionName} is not available yet`));
      return;
    }
    throw error;
  }
  const event = toApiGatewayEvent(request, body, `${route.method} ${route.path}`);
  const result = await handler(event as never, fakeLambdaContext(route.functionName));
  writeApiGatewayResult(response, result as Parameters<typeof writeApiGatewayResult>[1]);
}

/**
 * The local stand-in for API Gateway: routes requests to the real Lambda handlers as v2
 * events. A handler that throws gets a 500 JSON answer (what API Gateway returns for a
 * crashed function) and the server keeps serving.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const server: Server = createServer((request, response) => {
    dispatch(request, response, options).catch((error: unknown) => {
      // Stack traces stay in this process's stderr, never in the response.
      process.stderr.write(
        `local server: handler failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      if (!response.headersSent) sendJson(response, 500, errorBody('internal_error', 'internal error'));
      else response.destroy();
    });
  });
  // Longer than any client's idle keep-alive (undici's is 4 s), so a client never writes a request
  // on a socket the server is closing at that moment (an ECONNRESET under load).
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
