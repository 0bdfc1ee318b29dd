import { afterEach, describe, expect, it } from 'vitest';
import { dynamo, s3 } from '#shared/aws/clients.js';
import { getConfig } from '#shared/config.js';
import { resetInstance } from '#shared/instance.js';
import { recordingDeps } from '#shared/recordings/recording-status-core.js';

const saved = process.env.RETENTION_DAYS;
afterEach(() => {
  if (saved === undefined) delete process.env.RETENTION_DAYS;
  else process.env.RETENTION_DAYS = saved;
  resetInstance();
});

describe('resetInstance: one reset for every per-instance cache', () => {
  it('keeps each cache for the life of the instance until it is called', () => {
    expect(getConfig()).toBe(getConfig());
    expect(dynamo()).toBe(dynamo());
    expect(recordingDeps()).toBe(recordingDeps());
  });

  it('forgets the parsed config, the SDK clients and the wired recording dependencies together', () => {
    const before = { config: getConfig(), dynamo: dynamo(), s3: s3(), deps: recordingDeps() };
    process.env.RETENTION_DAYS = '30';
    resetInstance();
    expect(getConfig().RETENTION_DAYS).toBe(30);
    expect(dynamo()).not.toBe(before.dynamo);
    expect(s3()).not.toBe(before.s3);
    expect(recordingDeps()).not.toBe(before.deps);
    expect(recordingDeps().settings?.retentionDays ?? getConfig().RETENTION_DAYS).toBe(30);
  });
});
