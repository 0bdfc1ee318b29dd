import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { lazyHandler, startLocalServer, type LocalServer } from '#infra/local/server.js';

/**
 * The local API Gateway stand-in with recording handlers: what event the functions get and
 * how their results and failures reach the client.
 */
describe('local API Gateway (payload format 2.0)', () => {
  const seen: Array<{ event: APIGatewayProxyEventV2; context: Context }> = [];
  let server: LocalServer;

  beforeAll(async () => {
    const record = async (event: APIGatewayProxyEventV2, context: Context) => {
      seen.push({ event, context });
      return {
        statusCode: 201,
        headers: { 'X-Echo': 'yes' },
        body: Buffer.from('binary\u0000ok').toString('base64'),
        isBase64Encoded: true,
      };
    };
    server = await startLocalServer({
      port: 0,
      maxBodyBytes: 64 * 1024,
      routes: [
        { method: 'POST', path: '/echo', functionName: 'echo', load: async () => record as never },
        { method: 'GET', path: '/echo', functionName: 'echo', load: async () => record as never },
        {
          method: 'POST',
          path: '/boom',
          functionName: 'boom',
          load: async () => (async () => Promise.reject(new Error('secret internals'))) as never,
        },
        {
          method: 'POST',
          path: '/missing',
          functionName: 'missing',
          load: lazyHandler(new URL('./no-such-handler.ts', import.meta.url).href),
        },
      ],
    });
  });
  afterAll(async () => server.close());

  it('hands the handler a v2 event: lower-cased headers, query, request context, text body as is', async () => {
    // Act
    const response = await fetch(`${server.url}/echo?a=1&b=two&a=3`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'Value' },
      body: '{"hello":"wörld"}',
    });
    // Assess
    expect(response.status).toBe(201);
    const { event, context } = seen.at(-1) ?? ({} as never);
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('POST /echo');
    expect(event.rawPath).toBe('/echo');
    expect(event.rawQueryString).toBe('a=1&b=two&a=3');
    expect(event.queryStringParameters).toEqual({ a: '1,3', b: 'two' });
    expect(event.headers['x-custom']).toBe('Value');
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.requestContext.http).toMatchObject({ method: 'POST', path: '/echo', sourceIp: '127.0.0.1' });
    expect(event.requestContext.requestId).toBeTruthy();
    expect(event.requestContext.timeEpoch).toBeGreaterThan(0);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe('{"hello":"wörld"}');
    expect(context.functionName).toBe('echo');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('base64-encodes a body that is not UTF-8 text', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
    await fetch(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const { event } = seen.at(-1) ?? ({} as never);
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  it("writes the handler's status, headers and base64 body back as bytes", async () => {
    const response = await fetch(`${server.url}/echo`);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(Buffer.from(await response.arrayBuffer()).toString('utf8')).toBe('binary\u0000ok');
    expect(seen.at(-1)?.event.body).toBeUndefined();
  });

  it('answers 500 JSON without internals when a handler throws, and keeps serving', async () => {
    const response = await fetch(`${server.url}/boom`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'internal error' } });
    expect(text).not.toContain('secret internals');
    expect((await fetch(`${server.url}/echo`)).status).toBe(201);
  });

  it('answers 501 JSON for a route whose function module does not exist yet', async () => {
    const response = await fetch(`${server.url}/missing`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(501);
    expect(await response.json()).toMatchObject({ error: { code: 'not_implemented' } });
  });

  it('refuses a body over the cap with 413 JSON', async () => {
    const response = await fetch(`${server.url}/echo`, { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('refuses a streamed (chunked, no content-length) body over the cap with 413 as well', async () => {
    const chunk = new TextEncoder().encode('y'.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${server.url}/echo`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
  });
});
