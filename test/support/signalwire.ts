import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { HttpEvent } from '#shared/http/middleware.js';
import * as payloads from '#infra/local/cli/signalwire-payloads.js';
import { TEST_SECRETS } from './storage.js';

/** What SignalWire POSTs to the SWML route (docs/protocol.md §1), for one call id and caller. */
export function swmlRequestBody(callId: string, from = '+15125550123'): Record<string, unknown> {
  return payloads.swmlRequestBody(payloads.simulatedCall({ callId, from }));
}

/** What SignalWire POSTs to the SWAIG route (docs/protocol.md §2). */
export function swaigRequestBody(
  fn: string,
  args: Record<string, unknown>,
  callId: string,
  callerNumber = '+15125550123',
  globalData?: Record<string, unknown>,
): Record<string, unknown> {
  return payloads.swaigRequestBody(payloads.simulatedCall({ callId, from: callerNumber }), {
    functionName: fn,
    args,
    globalData,
  });
}

/**
 * What SignalWire POSTs to `record_call.status_url` (docs/protocol.md §3) for one call id: the
 * current flat shape (`recording_id`, `url`, … in `params`, `record.audio`) unless `shape` says
 * `nested` (the older `params.record.{url,duration,size,format}`).
 */
export function recordingStatusBody(
  callId: string,
  input: payloads.RecordingEventInput & { shape?: 'current' | 'nested' } = {},
): Record<string, unknown> {
  const { shape = 'current', ...event } = input;
  const call = payloads.simulatedCall({ callId });
  return shape === 'current' ? payloads.currentRecordingStatusBody(call, event) : payloads.recordingStatusBody(call, event);
}

function basicAuthHeader(
  user: string = TEST_SECRETS.SWML_BASIC_AUTH_USER,
  pass: string = TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD,
): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/**
 * An API Gateway HTTP API (payload v2) event as the gateway hands it to a function, built by
 * hand so tests control every byte (`base64` sends the body the way the gateway encodes binary).
 */
export function apiEvent(options: {
  method?: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  base64?: boolean;
  query?: Record<string, string> | string;
  headers?: Record<string, string>;
  auth?: string | null;
}): HttpEvent {
  const raw = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const method = options.method ?? 'POST';
  const rawQueryString = typeof options.query === 'string' ? options.query : new URLSearchParams(options.query ?? {}).toString();
  const queryParams = Object.fromEntries(new URLSearchParams(rawQueryString));
  const headers: Record<string, string> = {
    host: 'agent.example.com',
    'content-type': 'application/json',
    ...(options.auth === null ? {} : { authorization: options.auth ?? basicAuthHeader() }),
    ...options.headers,
  };
  return {
    version: '2.0',
    routeKey: `${method} ${options.path}`,
    rawPath: options.path,
    rawQueryString,
    queryStringParameters: Object.keys(queryParams).length ? queryParams : undefined,
    headers,
    isBase64Encoded: options.base64 ?? false,
    body: raw !== undefined && options.base64 ? Buffer.from(raw, 'utf8').toString('base64') : raw,
    requestContext: {
      accountId: '210987654321',
      apiId: 'api',
      domainName: 'agent.example.com',
      domainPrefix: 'agent',
      http: { method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: `${method} ${options.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  } as unknown as HttpEvent;
}

export function lambdaContext(name = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:210987654321:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The record_call / stop_record_call verbs inside a SWAIG response's SWML actions. */
export function recordingVerbs(response: { action?: Array<Record<string, unknown>> }): string[] {
  const verbs: string[] = [];
  for (const action of response.action ?? []) {
    const swml = action.SWML as { sections?: { main?: Array<Record<string, unknown>> } } | undefined;
    for (const verb of swml?.sections?.main ?? []) verbs.push(...Object.keys(verb));
  }
  return verbs.filter((v) => v === 'record_call' || v === 'stop_record_call');
}
