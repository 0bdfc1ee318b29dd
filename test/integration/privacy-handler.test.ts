import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/privacy/handler.js';
import type { OperatorResponse } from '#shared/privacy/privacy-core.js';
import { captureLogs } from '#test/support/logs.js';
import { seedCall } from '#test/support/privacy-seed.js';
import { lambdaContext } from '#test/support/signalwire.js';
import { startTestStorage, type TestStorage } from '#test/support/storage.js';
import { resetInstance } from '#shared/instance.js';

const CALLER = '+14155550177';

describe('privacy function (IAM-invoked operator API)', () => {
  let storage: TestStorage;
  const invoke = (event: unknown): Promise<OperatorResponse> => handler(event, lambdaContext('privacy'));

  beforeAll(async () => {
    storage = await startTestStorage();
    resetInstance();
  });
  afterAll(async () => storage.stop());

  it.each([
    ['no action', {}, /action/],
    ['an unknown action', { action: 'delete', callId: 'abc' }, /action/],
    ['erase with neither callId nor caller', { action: 'erase' }, /exactly one of callId or caller/],
    ['erase with both', { action: 'erase', callId: 'abc', caller: CALLER }, /exactly one of callId or caller/],
    ['hold without callId', { action: 'hold' }, /hold needs callId/],
    ['audit by caller', { action: 'audit', callId: 'abc', caller: CALLER }, /use callId/],
    ['a call id with a slash', { action: 'export', callId: '../etc' }, /callId/],
    ['a caller that is not a number', { action: 'erase', caller: 'alice' }, /E\.164/],
    ['a free-text reason', { action: 'erase', callId: 'abc', reason: 'Caller John Smith asked by email' }, /reason/],
    [
      'a misspelt key (not repeated: keys are input too)',
      { action: 'audit', call_id: 'abc' },
      /^event: unknown keys are not allowed; callId: audit needs callId$/,
    ],
    ['not an object', 'erase everything', /event|expected object/i],
  ])('rejects %s with invalid_request', async (_label, event, message) => {
    const response = await invoke(event);

    expect(response.ok).toBe(false);
    if (response.ok) return;
    expect(response.error.code).toBe('invalid_request');
    expect(response.error.message).toMatch(message);
  });

  it('never echoes or logs the caller number, even in a rejected request', async () => {
    const logs = captureLogs();
    try {
      const bad = await invoke({ action: 'hold', callId: 'abc', caller: CALLER });
      const good = await invoke({ action: 'export', caller: CALLER });

      expect(JSON.stringify(bad)).not.toContain('4155550177');
      expect(good.ok).toBe(true);
    } finally {
      logs.restore();
    }
    expect(logs.text()).not.toContain('4155550177');
    expect(logs.text()).toContain('privacy request');
  });

  it('runs export, hold, a refused erase, release, erase and audit end to end', async () => {
    const { callId, recordings } = await seedCall(CALLER, 1);

    const exported = await invoke({ action: 'export', caller: CALLER });
    const held = await invoke({ action: 'hold', callId, reason: 'case-9' });
    const refused = await invoke({ action: 'erase', callId });
    const released = await invoke({ action: 'release', callId });
    const erased = await invoke({ action: 'erase', callId, requestedBy: 'dpo@example.com' });
    const audit = await invoke({ action: 'audit', callId });

    expect(exported).toMatchObject({
      ok: true,
      action: 'export',
      result: { calls: [{ callId, recordings: [{ recordingId: recordings[0] }] }] },
    });
    expect(held).toMatchObject({ ok: true, result: { status: 'held' } });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'legal_hold', message: expect.stringContaining('under legal hold') as unknown, retryable: false },
    });
    expect(released).toMatchObject({ ok: true, result: { status: 'released' } });
    expect(erased).toMatchObject({ ok: true, result: { status: 'erased', objects: 3 } });
    expect(audit).toMatchObject({
      ok: true,
      result: {
        callId,
        events: [{ type: 'erased', detail: { requestedBy: 'dpo@example.com', reason: 'data-subject-request' } }],
      },
    });
  });

  it('answers not_found for a hold on an unknown call', async () => {
    expect(await invoke({ action: 'hold', callId: 'never-seen' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
