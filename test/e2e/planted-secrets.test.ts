import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AgentClient } from '#infra/local/cli/agent-client.js';
import type { LocalStack } from '#infra/local/stack.js';
import { callTool, fetchSwml } from '#infra/local/cli/calls.js';
import { paymentConnectorBody, recordingStatusBody, simulatedCall } from '#infra/local/cli/signalwire-payloads.js';
import { captureLogs } from '#test/support/logs.js';

/**
 * Issue #4's planted-secret test: a whole scripted call through all four functions with a
 * known SSN, date of birth, card number, CVV and caller number. Every log line (at DEBUG, so
 * nothing is filtered out before we look), every DynamoDB item and every S3 object is then
 * searched for those values.
 */
const CALLER = '+14155550123';
const SSN = '123-45-6789';
const DOB = '04/05/1980';
const CARD = { number: '4111111111111111', cvv: '987', postalCode: '94107' };
const PLANTED = [SSN, '123456789', DOB, CARD.number, '4111 1111', CALLER, '4155550123'];

describe('planted secrets never reach logs or storage', () => {
  let stack: LocalStack;
  let client: AgentClient;
  let remove: () => void;
  let logs: ReturnType<typeof captureLogs>;
  const call = simulatedCall({ from: CALLER });
  const replies: string[] = [];

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'DEBUG';
    const harness = await import('./local-stack-harness.js');
    const data = harness.tempDataDir();
    remove = data.remove;
    logs = captureLogs();
    ({ stack, client } = await harness.startE2eStack(data.dir));

    const document = await fetchSwml(client, call);
    const steps: Array<[string, Record<string, unknown>]> = [
      ['get_recording_consent', { response: 'yes' }],
      ['collect_ssn', {}],
      ['ssn_received', { ssn: SSN }],
      ['secure_mode', {}],
      ['collect_sensitive_info', { info_type: 'date_of_birth', value: DOB }],
      ['process_payment', { amount: '10.00' }],
    ];
    for (const [tool, args] of steps) {
      const reply = await callTool(client, document, call, tool, args);
      expect(reply.status, `${tool}: ${reply.text.slice(0, 200)}`).toBe(200);
      replies.push(reply.text);
    }
    // Posted where the pay verb would: process_payment's connector URL, with the call's token, so
    // the outcomes also land in the call's audit trail (searched below with everything else).
    const connectorUrl = /"payment_connector_url":"([^"]+)"/.exec(replies.at(-1) ?? '')?.[1];
    expect(connectorUrl).toContain('call_token=');
    const payment = await client.post(connectorUrl ?? '', paymentConnectorBody({ amount: '10.00' }, CARD));
    expect(payment.status).toBe(200);
    replies.push(payment.text);
    const declined = await client.post(
      connectorUrl ?? '',
      paymentConnectorBody({ amount: '10.00' }, { ...CARD, number: '4111111111111112' }),
    );
    expect(declined.status).toBe(402);
    replies.push(declined.text);
    const webhook = await client.post(client.url('/recording-status'), recordingStatusBody(call));
    expect(webhook.status).toBe(200);
    // Issue #15: the recording is transcribed. The local Transcribe stand-in "hears" the same SSN,
    // DOB and card (infra/local/transcribe-standin.ts); the stored transcript, the logs and the
    // bucket are searched below with everything else.
    await stack.transcription.settle();
  });

  afterAll(async () => {
    logs.restore();
    await stack.stop();
    remove();
  });

  it('captured a real amount of logging (the net is not empty)', () => {
    expect(logs.lines().length).toBeGreaterThan(10);
    expect(logs.text()).toContain(call.callId);
  });

  /** A 3-digit CVV also occurs by chance inside UUIDs and millisecond timestamps; match it standing alone. */
  const cvvAlone = new RegExp(`(?<![0-9a-fA-F.:-])${CARD.cvv}(?![0-9a-fA-F])`);

  it('no log line contains any planted value', () => {
    for (const secret of PLANTED) expect(logs.text(), secret).not.toContain(secret);
    expect(logs.text()).not.toMatch(cvvAlone);
  });

  it('no SWAIG or connector response echoes them (only the last four digits of the SSN)', () => {
    const all = replies.join('\n');
    for (const secret of PLANTED) expect(all, secret).not.toContain(secret);
    expect(all).not.toMatch(cvvAlone);
    expect(all).toContain('6789');
  });

  it('no DynamoDB item contains them', async () => {
    const { outsideClients } = await import('./local-stack-harness.js');
    const { dynamodb } = outsideClients(stack.endpoints);
    const items = await dynamodb.send(new ScanCommand({ TableName: stack.endpoints.table }));
    expect(items.Items?.length ?? 0).toBeGreaterThan(3);
    const dump = JSON.stringify(items.Items);
    // The payment outcomes are among them (issue #11 point 7): approved and declined, no card data.
    expect(dump).toContain('"payment_result"');
    expect(dump).toContain('"declined"');
    for (const secret of PLANTED) expect(dump, secret).not.toContain(secret);
    expect(dump).not.toMatch(cvvAlone);
  });

  it('the transcript is stored, with the planted values redacted as [PII]', async () => {
    const { readTranscripts } = await import('#infra/local/cli/transcripts.js');
    const transcripts = await readTranscripts(stack.endpoints, call.callId);
    expect(transcripts).toHaveLength(1);
    const text = JSON.stringify(transcripts);
    expect(text).toContain('[PII]');
    for (const secret of PLANTED) expect(text, secret).not.toContain(secret);
  });

  it('no S3 object contains them', async () => {
    const { outsideClients } = await import('./local-stack-harness.js');
    const { s3 } = outsideClients(stack.endpoints);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.endpoints.bucket }));
    expect(listed.Contents?.length ?? 0).toBeGreaterThan(0);
    for (const object of listed.Contents ?? []) {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: stack.endpoints.bucket, Key: object.Key }))
      ).Body?.transformToString();
      for (const secret of PLANTED) expect(body, `${object.Key}: ${secret}`).not.toContain(secret);
    }
  });
});
