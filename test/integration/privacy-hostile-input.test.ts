import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { handler } from '#functions/privacy/handler.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.js';
import { resetInstance } from '#shared/instance.js';
import type { OperatorResponse } from '#shared/privacy/privacy-core.js';
import { captureLogs } from '#test/support/logs.js';
import { seedCall } from '#test/support/privacy-seed.js';
import { lambdaContext } from '#test/support/signalwire.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';

/** Planted personal data, each with the digits a redaction would still recognise. */
const SSN = '078-05-1120';
const CARD = '4111111111111111';
const DOB = '1980-04-05';
const PHONE = '+14155550199';
const PLANTED = [SSN, '078051120', '0780', CARD, '41111111', DOB, '19800405', PHONE, '4155550199', '555-0199'];

/**
 * Issue #12 point 6: whatever an operator (or a script acting as one) sends to the privacy
 * function, a refusal names at most a known field and never repeats a key or value, nothing of
 * it reaches a log line, and nothing is stored.
 */
const HOSTILE: Array<[string, Record<string, unknown>]> = [
  ['an SSN as an unknown key', { action: 'audit', callId: 'call-1', ssn_078051120: true }],
  ['a dashed SSN as an unknown key', { action: 'audit', callId: 'call-1', [SSN]: 'x' }],
  ['a card number as an unknown key', { action: 'export', callId: 'call-1', [CARD]: 1 }],
  ['a DOB as an unknown key', { action: 'hold', callId: 'call-1', [`dob_${DOB}`]: null }],
  ['a phone number as an unknown key', { action: 'erase', callId: 'call-1', [PHONE]: PHONE }],
  ['several unknown keys at once', { action: 'erase', caller: PHONE, ssn: SSN, card: CARD, dob: DOB }],
  ['an SSN in a slug-shaped reason', { action: 'erase', callId: 'call-1', reason: `ssn-${SSN}` }],
  ['a DOB in a slug-shaped reason', { action: 'hold', callId: 'call-1', reason: `dob.${DOB}` }],
  ['a card number as a reason', { action: 'hold', callId: 'call-1', reason: `card_${CARD}` }],
  ['free text with a phone number as a reason', { action: 'erase', callId: 'call-1', reason: `caller ${PHONE} asked` }],
  ['an SSN as requestedBy', { action: 'erase', callId: 'call-1', requestedBy: '078051120' }],
  ['a phone number as requestedBy', { action: 'hold', callId: 'call-1', requestedBy: '4155550199' }],
  ['a card number as requestedBy', { action: 'release', callId: 'call-1', requestedBy: `ops:${CARD}` }],
  ['a DOB as requestedBy', { action: 'hold', callId: 'call-1', requestedBy: `ops@${DOB}` }],
  ['an SSN as callId', { action: 'export', callId: SSN }],
  ['a card number as callId', { action: 'audit', callId: CARD }],
  ['a DOB as callId', { action: 'hold', callId: DOB }],
  ['a phone number as callId', { action: 'erase', callId: PHONE }],
  ['an SSN as the action', { action: SSN, callId: 'call-1' }],
  ['an SSN as the caller', { action: 'export', caller: SSN }],
  ['a number where a string belongs', { action: 'erase', callId: 78051120, reason: 4111111111111111 }],
];

/** The text with every planted value it still contains (digits compared without separators too). */
function plantsIn(text: string): string[] {
  // Digits compared token by token: the digits of the whole text run together would, by chance,
  // hold any 8-digit plant somewhere across thousands of random ids and timestamps.
  const tokenDigits = text.split(/[\s"',{}[\]:=]+/).map((token) => token.replace(/\D/g, ''));
  const inDigits = (p: string): boolean => {
    const digits = p.replace(/\D/g, '');
    return digits.length >= 8 && tokenDigits.some((token) => token.includes(digits));
  };
  return PLANTED.filter((p) => contains(text, p) || inDigits(p));
}

/**
 * A short plant ('0780') counts only as a token of its own: inside a random id (a request id's
 * `…-0780-…` group, a hex run) it is chance, not a leak; the longer plants catch the real ones.
 */
function contains(text: string, plant: string): boolean {
  if (plant.length >= 8) return text.includes(plant);
  return new RegExp(`(?<![\\w-])${plant}(?![\\w-])`).test(text);
}

describe('operator input: never echoed, never logged, never stored', () => {
  let storage: TestStorage;
  const invoke = (event: unknown): Promise<OperatorResponse> => handler(event, lambdaContext('privacy'));

  async function everythingStored(): Promise<string> {
    const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const items = await new DynamoDBClient({ ...common, endpoint: storage.emulators.dynamodbEndpoint }).send(
      new ScanCommand({ TableName: storage.table }),
    );
    const objects = await new S3Client({ ...common, endpoint: storage.emulators.s3Endpoint, forcePathStyle: true }).send(
      new ListObjectsV2Command({ Bucket: storage.bucket }),
    );
    return JSON.stringify({ items: items.Items ?? [], keys: (objects.Contents ?? []).map((o) => o.Key) });
  }

  beforeAll(async () => {
    storage = await startTestStorage();
    resetInstance();
    // A real call behind 'call-1' would let a request that slipped through change something.
    await seedCall('+14155550100', 1);
  });
  afterAll(async () => storage.stop());

  it.each(HOSTILE)('%s: invalid_request, no plant in the answer', async (_label, event) => {
    const response = await invoke(event);

    expect(response).toMatchObject({ ok: false, error: { code: 'invalid_request', retryable: false } });
    expect(plantsIn(JSON.stringify(response))).toEqual([]);
  });

  it('unknown keys are refused with a fixed text that names none of them', async () => {
    const response = await invoke({ action: 'audit', callId: 'call-1', ssn_078051120: true, note: 'x' });

    expect(response).toEqual({
      ok: false,
      error: { code: 'invalid_request', message: 'event: unknown keys are not allowed', retryable: false },
    });
  });

  it('all of them together: no plant in any log line, nothing stored', async () => {
    const before = await everythingStored();
    const logs = captureLogs();
    try {
      for (const [, event] of HOSTILE) await invoke(event);
    } finally {
      logs.restore();
    }

    expect(logs.text()).toContain('privacy request rejected');
    expect(plantsIn(logs.text())).toEqual([]);
    expect(await everythingStored()).toBe(before);
    expect(plantsIn(before)).toEqual([]);
  });
});
