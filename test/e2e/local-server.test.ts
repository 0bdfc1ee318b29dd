import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AgentClient } from '#infra/local/cli/agent-client.js';
import {
  recordingStatusBody,
  signatureRequestBody,
  simulatedCall,
  swaigRequestBody,
  swmlRequestBody,
} from '#infra/local/cli/signalwire-payloads.js';
import { isObject, mainVerbs, offeredTools, swmlActionVerbs, type Json } from '#infra/local/cli/swml-reader.js';
import type { LocalStack } from '#infra/local/stack.js';
import { swmlErrors } from '#test/support/swml-schema.js';
import { objectsForCall, outsideClients, startE2eStack, tempDataDir } from './local-stack-harness.js';

/** The real local stack (`npm start` in-process, port 0) driven over HTTP like SignalWire does. */
describe('local stack over HTTP', () => {
  let data: ReturnType<typeof tempDataDir>;
  let stack: LocalStack;
  let client: AgentClient;

  beforeAll(async () => {
    data = tempDataDir();
    ({ stack, client } = await startE2eStack(data.dir));
  });
  afterAll(async () => {
    await stack?.stop();
    data?.remove();
  });

  const route = (path: string) => `${stack.endpoints.api}${path}`;

  async function swmlFor(call = simulatedCall()): Promise<unknown> {
    const reply = await client.post(client.url('/swml'), swmlRequestBody(call));
    expect(reply.status).toBe(200);
    return reply.body;
  }

  async function tool(document: unknown, call: ReturnType<typeof simulatedCall>, name: string, args: Json = {}) {
    const offered = offeredTools(document);
    const fn = offered.functions.find((f) => f.function === name);
    expect(fn, `tool ${name} offered`).toBeDefined();
    const url = fn?.webHookUrl ?? offered.defaultUrl ?? '';
    return client.post(url, swaigRequestBody(call, { functionName: name, args, parameters: fn?.parameters }));
  }

  describe('authentication', () => {
    it.each(['/swml', '/swaig', '/recording-status', '/payment'])('answers 401 JSON without credentials on %s', async (path) => {
      // Act
      const response = await fetch(route(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      // Assess
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
      const body = (await response.json()) as { error?: { code?: string } };
      expect(body.error?.code).toBe('unauthorized');
    });

    it('answers 401 JSON with a wrong password, without echoing it', async () => {
      const wrong = Buffer.from(`${stack.credentials.SWML_BASIC_AUTH_USER}:not-the-password`).toString('base64');
      const response = await fetch(route('/swml'), { headers: { authorization: `Basic ${wrong}` } });
      expect(response.status).toBe(401);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'unauthorized' } });
      expect(text).not.toContain('not-the-password');
    });
  });

  describe('SWML', () => {
    it('serves a schema-valid document on GET', async () => {
      const reply = await client.get(client.url('/swml'));
      expect(reply.status).toBe(200);
      expect(swmlErrors(reply.body)).toEqual([]);
      expect(mainVerbs(reply.body).map((v) => Object.keys(v)[0])).toContain('ai');
    });

    it('serves a schema-valid document on POST, with credentials in every SWAIG URL and a token on secure tools', async () => {
      // Act
      const document = await swmlFor();
      // Assess
      expect(swmlErrors(document)).toEqual([]);
      const offered = offeredTools(document);
      const { SWML_BASIC_AUTH_USER: user, SWML_BASIC_AUTH_PASSWORD: password } = stack.credentials;
      const defaultUrl = new URL(offered.defaultUrl ?? 'http://missing');
      expect(decodeURIComponent(defaultUrl.username)).toBe(user);
      expect(decodeURIComponent(defaultUrl.password)).toBe(password);
      expect(defaultUrl.pathname).toBe('/swaig');
      const secure = offered.functions.filter((f) => f.webHookUrl);
      expect(secure.length).toBeGreaterThan(0);
      for (const fn of secure) {
        const url = new URL(fn.webHookUrl ?? '');
        expect(decodeURIComponent(url.password)).toBe(password);
        expect(url.searchParams.get('__token')).toBeTruthy();
      }
    });

    it('answers a get_signature request with the tool definitions', async () => {
      const reply = await client.post(client.url('/swaig'), signatureRequestBody(simulatedCall(), ['get_recording_consent']));
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual([
        expect.objectContaining({ function: 'get_recording_consent', parameters: expect.any(Object) }),
      ]);
    });
  });

  describe('consent, then record', () => {
    it('starts recording only after "yes", then pauses and resumes the same control id', async () => {
      // Prepare
      const call = simulatedCall();
      const document = await swmlFor(call);
      expect(mainVerbs(document).some((v) => 'record_call' in v)).toBe(false); // consent-first: nothing recorded yet

      // Act: the caller agrees
      const consent = await tool(document, call, 'get_recording_consent', { response: 'yes' });

      // Assess
      expect(consent.status).toBe(200);
      const started = swmlActionVerbs(consent.body).find((v) => 'record_call' in v)?.record_call as Json | undefined;
      expect(started).toMatchObject({ control_id: 'main' });
      expect(String(started?.status_url)).toContain('/recording-status');
      for (const action of (consent.body as { action: Json[] }).action.filter((a) => isObject(a.SWML))) {
        expect(swmlErrors(action.SWML)).toEqual([]);
      }

      const pause = await tool(document, call, 'pause_recording');
      expect(pause.status).toBe(200);
      expect(swmlActionVerbs(pause.body).find((v) => 'stop_record_call' in v)).toEqual({
        stop_record_call: { control_id: 'main' },
      });

      const resume = await tool(document, call, 'resume_recording');
      expect(resume.status).toBe(200);
      const resumed = swmlActionVerbs(resume.body).find((v) => 'record_call' in v)?.record_call as Json | undefined;
      expect(resumed).toMatchObject({
        control_id: 'main',
        format: started?.format,
        stereo: started?.stereo,
      });
      // The same webhook and decision, tagged with the next segment (shared/agent/recording-state.ts);
      // each carries its own signed basis (a fresh nonce), so that one is left out of the comparison.
      const withoutSegment = (url: unknown) => {
        const u = new URL(String(url));
        const segment = u.searchParams.get('segment');
        u.searchParams.delete('segment');
        u.searchParams.delete('basis');
        return { url: u.toString(), segment };
      };
      expect(withoutSegment(resumed?.status_url)).toEqual({ url: withoutSegment(started?.status_url).url, segment: '2' });
      expect(withoutSegment(started?.status_url).segment).toBe('1');
    });

    it('never starts recording when the caller declines', async () => {
      const call = simulatedCall();
      const document = await swmlFor(call);
      await tool(document, call, 'get_recording_consent', { response: 'no thanks' });
      const resume = await tool(document, call, 'resume_recording');
      expect(resume.status).toBe(200);
      expect(swmlActionVerbs(resume.body).some((v) => 'record_call' in v)).toBe(false);
    });

    it('refuses a secure tool called without its token (403) and stores nothing for it', async () => {
      const call = simulatedCall();
      const document = await swmlFor(call);
      const secure = offeredTools(document).functions.find((f) => f.webHookUrl);
      const reply = await client.post(
        client.url('/swaig'),
        swaigRequestBody(call, { functionName: secure?.function ?? 'ssn_received', args: { ssn: '123-45-6789' } }),
      );
      expect(reply.status).toBe(403);
      expect(reply.text).not.toContain('123-45-6789');
      const { dynamodb } = outsideClients(stack.endpoints);
      const items = await dynamodb.send(
        new QueryCommand({
          TableName: stack.endpoints.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `CALL#${call.callId}` } },
        }),
      );
      expect(items.Count ?? 0).toBe(0);
    });
  });

  describe('recording webhook', () => {
    it('stores the finished recording as metadata in S3 (read back with an independent S3 client)', async () => {
      // Prepare: a call whose caller agreed
      const call = simulatedCall();
      const document = await swmlFor(call);
      const consent = await tool(document, call, 'get_recording_consent', { response: 'sure' });
      const statusUrl = String((swmlActionVerbs(consent.body).find((v) => 'record_call' in v)?.record_call as Json).status_url);
      const recordingId = '6f1c6c1e-9a43-4c3e-9b1e-5c2d5d1f0a11';

      // Act
      const reply = await client.post(statusUrl, recordingStatusBody(call, { recordingId, durationSeconds: 42 }));

      // Assess
      expect(reply.status).toBeGreaterThanOrEqual(200);
      expect(reply.status).toBeLessThan(300);
      const stored = await objectsForCall(outsideClients(stack.endpoints).s3, stack.endpoints.bucket, call.callId);
      expect(stored).toHaveLength(1);
      const metadata = JSON.stringify(stored[0]?.body);
      expect(metadata).toContain(call.callId);
      expect(metadata).toContain(`https://example.signalwire.com/api/v1/recordings/${recordingId}/download`);
    });
  });

  describe('bad input', () => {
    it('answers malformed JSON with a 400 JSON error', async () => {
      const reply = await client.send('POST', client.url('/swaig'), '{"function": ');
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ error: { code: 'malformed_json' } });
    });

    it("answers a body over the functions' 256 KB limit with 413", async () => {
      const reply = await client.send('POST', client.url('/swaig'), JSON.stringify({ pad: 'x'.repeat(300 * 1024) }));
      expect(reply.status).toBe(413);
      expect(reply.body).toMatchObject({ error: { code: 'payload_too_large' } });
    });

    it("refuses a body over the server's 1 MB cap before any handler runs", async () => {
      const reply = await client.send(
        'POST',
        client.url('/recording-status'),
        JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
      );
      expect(reply.status).toBe(413);
    });

    it('answers a hostile call id with a 4xx that does not echo it', async () => {
      const call = simulatedCall({ callId: '../../etc/passwd' });
      const reply = await client.post(
        client.url('/swaig'),
        swaigRequestBody(call, { functionName: 'pause_recording', args: {} }),
      );
      expect(reply.status).toBe(400);
      expect(reply.text).not.toContain('etc/passwd');
    });

    it('answers an unknown route with 404 JSON and a wrong method with 405', async () => {
      const missing = await client.get(client.url('/nope'));
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
      const wrongMethod = await client.get(client.url('/swaig'));
      expect(wrongMethod.status).toBe(405);
    });
  });

  it('writes endpoints.json with everything a tool needs to find the stack', () => {
    const path = join(stack.dataDir, 'endpoints.json');
    expect(existsSync(path)).toBe(true);
    const endpoints = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    for (const key of ['api', 'dynamodb', 's3', 'region', 'accessKeyId', 'secretAccessKey', 'table', 'bucket', 'pid']) {
      expect(endpoints[key], key).toBeTruthy();
    }
    expect(endpoints.api).toBe(stack.endpoints.api);
    expect(endpoints.pid).toBe(process.pid);
    expect(String(endpoints.swml)).toContain(`:${encodeURIComponent(stack.credentials.SWML_BASIC_AUTH_PASSWORD)}@`);
  });
});
