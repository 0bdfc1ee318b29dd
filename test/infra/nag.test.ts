import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { createAgentApp } from '#infra/stack/create-app.js';
import { PROD_SETTINGS, SKIP_BUNDLING } from './infra-support.js';

// A full synth with cdk-nag takes ~7 s idle and 30 s or more on a loaded 2-core machine.
describe('cdk-nag (AwsSolutions pack)', { timeout: 120_000 }, () => {
  it('finds nothing unacknowledged in the stack: synth succeeds', () => {
    // Prepare
    const { app } = createAgentApp({ context: { ...SKIP_BUNDLING, ...PROD_SETTINGS } }, {});
    // Act
    const assembly = app.synth();
    // Assess
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['recording-agent-prod']);
  });

  it('also passes for a disposable stage (auto-delete custom resource included)', () => {
    const { app } = createAgentApp({ context: { ...SKIP_BUNDLING, stage: 'dev', disposable: true } }, {});
    expect(() => app.synth()).not.toThrow();
  });

  it('is really watching: an unprotected bucket fails the synth', () => {
    // Prepare: the same app plus a bucket with no TLS policy and no access logs.
    const { app, stack } = createAgentApp({ context: { ...SKIP_BUNDLING, ...PROD_SETTINGS } }, {});
    new Bucket(stack, 'CarelessBucket');
    // Act
    let message = '';
    try {
      app.synth();
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    // Assess: the failure is cdk-nag's and names only the careless bucket. The findings are in
    // the message or (depending on the CDK's output mode) in the report file it points to.
    expect(message).not.toBe('');
    const reportPath = /found in: (\S+\.json)/.exec(message)?.[1];
    const findings = message + (reportPath ? readFileSync(resolve(reportPath), 'utf8') : '');
    expect(findings).toContain('AwsSolutions-S10');
    expect(findings).toContain('recording-agent-prod/CarelessBucket');
    expect(findings).not.toMatch(/recording-agent-prod\/(Storage|Functions|Api|Secrets|Observability)/);
  });
});
