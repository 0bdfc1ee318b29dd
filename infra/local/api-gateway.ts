import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/**
 * What API Gateway (HTTP API, payload format 2.0) does in front of our functions, reproduced
 * for the local server so the real handlers run unchanged off-cloud.
 */

/** True when the bytes are valid UTF-8 text without NULs: API Gateway passes those through as a string. */
function isUtf8Text(body: Buffer): boolean {
  if (body.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

/** Text content types API Gateway never base64-encodes; anything else with binary bytes is encoded. */
function looksTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/([\w.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript))/i.test(contentType);
}

function lowerCaseHeaders(request: IncomingMessage): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies = (Array.isArray(value) ? value.join('; ') : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    // API Gateway joins repeated headers with commas.
    headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  return { headers, cookies };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    result[key] = key in result ? `${result[key]},${value}` : value;
  }
  return result;
}

/** The API Gateway v2 event for one Node request whose body has already been read in full. */
export function toApiGatewayEvent(request: IncomingMessage, body: Buffer, routeKey?: string): APIGatewayProxyEventV2 {
  const url = request.url ?? '/';
  const queryIndex = url.indexOf('?');
  const rawPath = queryIndex >= 0 ? url.slice(0, queryIndex) : url;
  const rawQueryString = queryIndex >= 0 ? url.slice(queryIndex + 1) : '';
  const method = (request.method ?? 'GET').toUpperCase();
  const { headers, cookies } = lowerCaseHeaders(request);
  const now = new Date();
  const requestId = randomUUID();
  const encrypted = Boolean((request.socket as Partial<TLSSocket>).encrypted);
  headers['x-forwarded-for'] ??= request.socket.remoteAddress ?? '127.0.0.1';
  headers['x-forwarded-proto'] ??= encrypted ? 'https' : 'http';
  headers['x-forwarded-port'] ??= String(request.socket.localPort ?? '');

  const binary = body.length > 0 && (!isUtf8Text(body) || !looksTextual(headers['content-type']));
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: routeKey ?? `${method} ${rawPath}`,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: routeKey ?? `${method} ${rawPath}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: binary,
  };
  if (cookies.length > 0) event.cookies = cookies;
  const query = queryParameters(rawQueryString);
  if (query) event.queryStringParameters = query;
  if (body.length > 0) event.body = binary ? body.toString('base64') : body.toString('utf8');
  return event;
}

/** A Lambda context good enough for middy and Powertools (they read names, ids and the deadline). */
export function fakeLambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Writes a handler's result the way API Gateway does: structured results as given (base64
 * bodies decoded), and a bare value as a 200 JSON body (HTTP API's "inferred" format).
 */
export function writeApiGatewayResult(
  response: ServerResponse,
  result: APIGatewayProxyStructuredResultV2 | string | undefined,
): void {
  if (result === undefined || typeof result === 'string' || !('statusCode' in result || 'body' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
    return;
  }
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = body.length;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}
