import { afterEach, describe, expect, it } from 'vitest';
import { auditRecordingActions } from '#shared/agent/recording-audit.js';
import { InMemoryConsentStore } from '#shared/consent/memory-consent-store.js';
import type { ConsentStore } from '#shared/consent/types.js';
import { FunctionResult, isRecordCallAction, isStopRecordCallAction } from '#shared/swaig/function-result.js';
import { captureLogs } from '#test/support/logs.js';

const CALL = '3b6f0c0e-8c1f-4b57-9f0e-2a7d1c9e4f10';

/** A store whose audit appends fail: what a DynamoDB outage looks like to the audit. */
function failingAppends(): ConsentStore {
  const store = new InMemoryConsentStore();
  return Object.assign(Object.create(store) as ConsentStore, {
    appendEvent: async () => {
      throw new Error('table unavailable');
    },
  });
}

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => logs?.restore());

describe('auditRecordingActions', () => {
  it('audits a start it lets through', async () => {
    const store = new InMemoryConsentStore();
    const result = new FunctionResult('Recording has started.').recordCall({ controlId: 'main' });
    const audited = await auditRecordingActions(result, 'start_recording', CALL, store);
    expect(audited.actions.some(isRecordCallAction)).toBe(true);
    expect((await store.listEvents(CALL)).map((e) => e.type)).toEqual(['recording_started']);
  });

  it('drops a start that cannot be audited, tells the AI recording is off, and logs why', async () => {
    logs = captureLogs();
    const result = new FunctionResult('Recording has started.').recordCall({ controlId: 'main' });
    const audited = await auditRecordingActions(result, 'start_recording', CALL, failingAppends());
    expect(audited.actions.some(isRecordCallAction)).toBe(false);
    const response = audited.toDict().response ?? '';
    expect(response).toMatch(/^Recording is OFF for this call/);
    expect(response).toContain('Disregard any mention of recording');
    expect(logs.lines().some((l) => l.includes('could not audit a recording action') && l.includes('"level":"ERROR"'))).toBe(
      true,
    );
  });

  it('lets a stop through even when it cannot be audited (stopping is always safe), and logs it', async () => {
    logs = captureLogs();
    const result = new FunctionResult('Paused.').stopRecordCall('main');
    const audited = await auditRecordingActions(result, 'pause_recording', CALL, failingAppends());
    expect(audited.actions.some(isStopRecordCallAction)).toBe(true);
    expect(audited.toDict().response).toBe('Paused.');
    expect(logs.lines().some((l) => l.includes('could not audit a recording action'))).toBe(true);
  });
});
