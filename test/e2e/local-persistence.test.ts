import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { loadOrCreateCredentials } from '#infra/local/credentials.js';
import { recordingStatusBody, simulatedCall, swaigRequestBody, swmlRequestBody } from '#infra/local/cli/signalwire-payloads.js';
import { offeredTools, swmlActionVerbs } from '#infra/local/cli/swml-reader.js';
import type { AgentClient } from '#infra/local/cli/agent-client.js';
import type { LocalStack } from '#infra/local/stack.js';
import { objectsForCall, outsideClients, startE2eStack, tempDataDir } from './local-stack-harness.js';

async function runTool(client: AgentClient, call: ReturnType<typeof simulatedCall>, name: string, args: Record<string, unknown>) {
  const document = (await client.post(client.url('/swml'), swmlRequestBody(call))).body;
  const offered = offeredTools(document);
  const fn = offered.functions.find((f) => f.function === name);
  return client.post(fn?.webHookUrl ?? offered.defaultUrl ?? '', swaigRequestBody(call, { functionName: name, args }));
}

async function consentItems(stack: LocalStack, callId: string): Promise<number> {
  const { dynamodb } = outsideClients(stack.endpoints);
  const result = await dynamodb.send(
    new QueryCommand({
      TableName: stack.endpoints.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `CALL#${callId}` } },
    }),
  );
  return result.Count ?? 0;
}

describe('local stack persistence under the data directory', () => {
  const data = tempDataDir();
  const call = simulatedCall();
  let first: { stack: LocalStack; client: AgentClient };
  let second: { stack: LocalStack; client: AgentClient };
  let itemsBefore = 0;

  beforeAll(async () => {
    // Prepare: a consented, recorded call on a first run, then a clean stop.
    first = await startE2eStack(data.dir);
    const consent = await runTool(first.client, call, 'get_recording_consent', { response: 'yes' });
    expect(consent.status).toBe(200);
    const stored = await first.client.post(
      // SignalWire posts to the record_call's status_url, which names the segment (the first: 1).
      `${first.client.url('/recording-status')}?segment=1`,
      recordingStatusBody(call),
    );
    expect(stored.ok).toBe(true);
    // The recording's transcript (and its transcript_stored event) is part of the earlier run.
    await first.stack.transcription.settle();
    itemsBefore = await consentItems(first.stack, call.callId);
    await first.stack.stop();
    // Act: start again on the same folder.
    second = await startE2eStack(data.dir);
  });
  afterAll(async () => {
    await first?.stack.stop();
    await second?.stack.stop();
    data.remove();
  });

  it('removes endpoints.json on stop and writes a fresh one on start', () => {
    const endpoints = JSON.parse(readFileSync(join(data.dir, 'endpoints.json'), 'utf8')) as { api: string };
    expect(endpoints.api).toBe(second.stack.endpoints.api);
  });

  it('keeps the same generated credentials', () => {
    expect(second.stack.credentials).toEqual(first.stack.credentials);
    expect(second.stack.credentials.SWML_BASIC_AUTH_PASSWORD.length).toBeGreaterThanOrEqual(16);
  });

  it('keeps the DynamoDB items of the earlier run', async () => {
    expect(itemsBefore).toBeGreaterThan(0);
    expect(await consentItems(second.stack, call.callId)).toBe(itemsBefore);
  });

  it('keeps the S3 recording metadata of the earlier run', async () => {
    const objects = await objectsForCall(outsideClients(second.stack.endpoints).s3, second.stack.endpoints.bucket, call.callId);
    expect(objects).toHaveLength(1);
  });

  it('still knows the caller agreed: resuming records again', async () => {
    const resume = await runTool(second.client, call, 'resume_recording', {});
    expect(resume.status).toBe(200);
    expect(swmlActionVerbs(resume.body).some((v) => 'record_call' in v)).toBe(true);
  });
});

describe('local credentials', () => {
  it('are generated once per data directory, and environment variables override them without being written', () => {
    const data = tempDataDir();
    try {
      const generated = loadOrCreateCredentials(data.dir, {});
      expect(loadOrCreateCredentials(data.dir, {})).toEqual(generated);
      const overridden = loadOrCreateCredentials(data.dir, { SWML_BASIC_AUTH_PASSWORD: 'from-the-environment' });
      expect(overridden.SWML_BASIC_AUTH_PASSWORD).toBe('from-the-environment');
      expect(overridden.TOKEN_SECRET).toBe(generated.TOKEN_SECRET);
      expect(readFileSync(join(data.dir, 'credentials.json'), 'utf8')).not.toContain('from-the-environment');
    } finally {
      data.remove();
    }
  });

  it('differ between data directories', () => {
    const a = tempDataDir();
    const b = tempDataDir();
    try {
      expect(loadOrCreateCredentials(a.dir, {}).SWML_BASIC_AUTH_PASSWORD).not.toBe(
        loadOrCreateCredentials(b.dir, {}).SWML_BASIC_AUTH_PASSWORD,
      );
      expect(existsSync(join(a.dir, 'credentials.json'))).toBe(true);
    } finally {
      a.remove();
      b.remove();
    }
  });
});
