import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AgentClient } from '#infra/local/cli/agent-client.js';
import type { LocalStack } from '#infra/local/stack.js';
import { fetchSwml } from '#infra/local/cli/calls.js';
import { recordingStatusBody, simulatedCall, type SimulatedCall } from '#infra/local/cli/signalwire-payloads.js';
import { mainVerbs } from '#infra/local/cli/swml-reader.js';
import { privacyDeps, runPrivacyRequest } from '#shared/privacy/privacy-core.js';
import { outsideClients, startE2eStack, tempDataDir } from './local-stack-harness.js';

/**
 * disclose-and-record under a one-party rule: the SWML document records from the start and the
 * swml function stores nothing. A call where the AI never calls a tool still has its recording
 * covered: the status_url carries a signed basis, and the webhook records the implied consent.
 */
describe('disclose-and-record: consent implied by the disclosure reaches the webhook', () => {
  let stack: LocalStack;
  let client: AgentClient;
  let remove: () => void;
  const saved = process.env.RECORDING_MODE;

  beforeAll(async () => {
    process.env.RECORDING_MODE = 'disclose-and-record';
    const data = tempDataDir();
    remove = data.remove;
    ({ stack, client } = await startE2eStack(data.dir));
  });
  afterAll(async () => {
    await stack.stop();
    remove();
    if (saved === undefined) delete process.env.RECORDING_MODE;
    else process.env.RECORDING_MODE = saved;
  });

  async function statusUrlFor(call: SimulatedCall): Promise<string | undefined> {
    const verbs = mainVerbs(await fetchSwml(client, call)) as Array<Record<string, { status_url?: string }>>;
    return verbs.find((v) => 'record_call' in v)?.record_call?.status_url;
  }

  async function storedConsent(call: SimulatedCall): Promise<unknown> {
    const { s3 } = outsideClients(stack.endpoints);
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: stack.endpoints.bucket, Prefix: `recordings/${call.callId}/` }),
    );
    const key = listed.Contents?.[0]?.Key;
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: stack.endpoints.bucket, Key: key }))
    ).Body?.transformToString();
    return (JSON.parse(body ?? '{}') as { consent?: unknown }).consent;
  }

  it('a one-party (Texas) call with no tool use: the recording is stored with implied consent, not as an incident', async () => {
    const call = simulatedCall({ from: '+12145550100' });
    const statusUrl = await statusUrlFor(call);
    expect(statusUrl).toContain('basis=');
    const reply = await client.post(statusUrl ?? '', recordingStatusBody(call));
    expect(reply.status).toBe(200);
    expect(await storedConsent(call)).toMatchObject({ state: 'granted', jurisdiction: 'US-TX' });
  });

  it('a forged basis proves nothing: the recording is flagged consent missing', async () => {
    const call = simulatedCall({ from: '+12145550100' });
    const statusUrl = new URL((await statusUrlFor(call)) ?? '');
    statusUrl.searchParams.set(
      'basis',
      Buffer.from(`${call.callId}.implied_consent:US-TX.9999999999.00.${'0'.repeat(64)}`).toString('base64url'),
    );
    expect((await client.post(statusUrl.toString(), recordingStatusBody(call))).status).toBe(200);
    expect(await storedConsent(call)).toBe('missing');
  });

  it('after erasure a late callback with a valid basis re-creates nothing', async () => {
    const call = simulatedCall({ from: '+12145550100' });
    const statusUrl = (await statusUrlFor(call)) ?? '';
    expect((await client.post(statusUrl, recordingStatusBody(call))).status).toBe(200);
    const deps = await privacyDeps();
    expect((await runPrivacyRequest({ action: 'erase', callId: call.callId, reason: 'data-subject-request' }, deps)).ok).toBe(
      true,
    );
    const late = await client.post(statusUrl, recordingStatusBody(call));
    expect(late.status).toBe(200);
    expect(JSON.parse(late.text).status).toBe('discarded_erased');
    const exported = (await runPrivacyRequest({ action: 'export', callId: call.callId }, deps)) as { ok: true; result: unknown };
    expect(JSON.stringify(exported.result)).not.toContain('consent_granted');
    expect(JSON.stringify(exported.result)).not.toContain('"state":"granted"');
  });

  it('an all-party (California) caller gets no recording at the start at all', async () => {
    expect(await statusUrlFor(simulatedCall({ from: '+14155550100' }))).toBeUndefined();
  });
});
