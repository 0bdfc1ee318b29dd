import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { HttpEvent } from '../../shared/http/middleware.js';
import { TEST_SECRETS } from './storage.js';

/** What SignalWire POSTs to the SWML route (PROTOCOL.md §1). */
export function swmlRequestBody(callId: string, from = '+15125550123'): Record<string, unknown> {
  return {
    call: {
      call_id: callId,
      node_id: 'node-1',
      direction: 'inbound',
      type: 'phone',
      from,
      to: '+15125550000',
      headers: [],
      project_id: 'project-1',
      space_id: 'space-1',
    },
    vars: {},
    envs: {},
    params: {},
  };
}

/** What SignalWire POSTs to the SWAIG route (PROTOCOL.md §2). */
export function swaigRequestBody(
  fn: string,
  args: Record<string, unknown>,
  callId: string,
  callerNumber = '+15125550123',
): Record<string, unknown> {
  return {
    function: fn,
    argument: { parsed: [args], raw: JSON.stringify(args) },
    argument_desc: {},
    description: fn,
    call_id: callId,
    ai_session_id: randomUUID(),
    app_name: 'recording-agent',
    meta_data_token: 'meta',
    meta_data: {},
    caller_id_num: callerNumber,
    caller_id_name: 'Test Caller',
    channel_active: true,
    channel_offhook: true,
    channel_ready: true,
    content_type: 'text/swaig',
    content_disposition: 'SWAIG Function',
    version: '2.0',
    conversation_type: 'voice',
  };
}

export function basicAuthHeader(user: string = TEST_SECRETS.SWML_BASIC_AUTH_USER, pass: string = TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** An API Gateway HTTP API (v2) event, as the gateway hands it to a function. */
export function apiEvent(options: {
  method?: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  auth?: string | null;
}): HttpEvent {
  const raw = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const method = options.method ?? 'POST';
  const query = options.query ?? {};
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
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: Object.keys(query).length ? query : undefined,
    headers,
    isBase64Encoded: false,
    body: raw,
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
