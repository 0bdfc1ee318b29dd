import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpEvent } from '../../shared/http/middleware.js';
import { TEST_SECRETS } from '../support/storage.js';

/** The basic-auth header SignalWire derives from the credentials in the URLs we emit. */
export const TEST_BASIC_AUTH = `Basic ${Buffer.from(`${TEST_SECRETS.SWML_BASIC_AUTH_USER}:${TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD}`).toString('base64')}`;

/** A Lambda context good enough for middy and the Powertools middlewares. */
export const testContext = {
  awsRequestId: 'req-1',
  functionName: 'test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/**
 * An API Gateway HTTP API (payload v2) event as the gateway hands it to a function, built by
 * hand so tests control every byte (including base64 bodies).
 */
export function apiGatewayEvent(
  body: string,
  headers: Record<string, string>,
  opts: { base64?: boolean; path?: string; query?: string } = {},
): HttpEvent {
  const path = opts.path ?? '/status';
  const domainName = 'abc123.execute-api.us-east-1.amazonaws.com';
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: opts.query ?? '',
    headers: { 'content-type': 'application/json', authorization: TEST_BASIC_AUTH, host: domainName, ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName,
      domainPrefix: 'abc123',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'SignalWire' },
      requestId: 'req-1',
      routeKey: `POST ${path}`,
      stage: '$default',
      time: '25/Nov/2026:08:34:47 +0000',
      timeEpoch: 0,
    },
    body: opts.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: opts.base64 ?? false,
  };
  return event as HttpEvent;
}
