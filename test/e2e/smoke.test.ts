import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmoke } from '#infra/ops/smoke.js';
import type { LocalStack } from '#infra/local/stack.js';
import { objectsForCall, outsideClients, startE2eStack, tempDataDir } from './local-stack-harness.js';

/** `npm run smoke` against the local stack, as an operator runs it after `npm start`. */
describe('npm run smoke against the local stack', { timeout: 120_000 }, () => {
  const data = tempDataDir();
  let stack: LocalStack;

  beforeAll(async () => {
    ({ stack } = await startE2eStack(data.dir));
  });
  afterAll(async () => {
    await stack.stop();
    data.remove();
  });

  it('passes every step and leaves no trace of its synthetic call', async () => {
    // Act
    const lines: string[] = [];
    const code = await runSmoke({ url: stack.endpoints.swml, dataDir: data.dir }, (line) => lines.push(line));
    // Assess: one PASS line per step, in order, and the call's data gone.
    expect(lines.filter((l) => /^(PASS|FAIL|SKIP) /.test(l)).map((l) => l.split(':')[0])).toEqual([
      'PASS swml',
      'PASS consent',
      'PASS recording-status',
      'PASS erase',
    ]);
    expect(code).toBe(0);
    const callId = /synthetic call (\S+)/.exec(lines[0] ?? '')?.[1] ?? '';
    expect(callId).toMatch(/^smoke-/);
    expect(await objectsForCall(outsideClients(stack.endpoints).s3, stack.endpoints.bucket, callId)).toEqual([]);
  });

  it('fails on wrong credentials and says so per step', async () => {
    const url = new URL(stack.endpoints.swml);
    url.password = 'wrong-password';
    const lines: string[] = [];
    const code = await runSmoke({ url: url.toString(), dataDir: data.dir }, (line) => lines.push(line));
    expect(code).toBe(1);
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^FAIL swml: .*401/), expect.stringMatching(/^SKIP consent/)]),
    );
  });

  it('skips erasure of a deployed stage without --stage, naming what it needs', async () => {
    // A non-local host with no --stage: the erase step cannot run. The API itself is the local one,
    // reached through another name for the loopback address.
    const url = new URL(stack.endpoints.swml);
    url.hostname = '127.0.0.2';
    const lines: string[] = [];
    await runSmoke({ url: url.toString() }, (line) => lines.push(line)).catch(() => 1);
    expect(lines.find((l) => l.startsWith('SKIP erase'))).toContain('needs --stage and AWS credentials');
  });
});
