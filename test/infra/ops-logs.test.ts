import { describe, expect, it } from 'vitest';
import {
  describeStackArgs,
  formatQueryRows,
  logGroupsFor,
  parseLogsArgs,
  sinceSeconds,
  startQueryArgs,
  tailArgs,
} from '#infra/ops/logs.js';
import { UsageError } from '#infra/local/cli/command.js';
import { callTimelineQuery, logGroupOutputId } from '#infra/stack/log-queries.js';

const CALL = '8b0f6a42-3b39-4c44-9d0e-1f2a3b4c5d6e';
const OUTPUTS = {
  LogGroupSwml: '/g/swml',
  LogGroupSwaig: '/g/swaig',
  LogGroupRecordingStatus: '/g/rs',
  LogGroupPaymentConnector: '/g/pay',
  LogGroupPrivacy: '/g/privacy',
  LogGroupArchiveWorker: '/g/archive',
  LogGroupRetentionEnforcer: '/g/retention',
  LogGroupTranscriptionWorker: '/g/transcription',
  LogGroupTranscriptCompletion: '/g/transcript',
};

describe('npm run logs: arguments', () => {
  it('defaults to the last hour of the stage from cdk.json', () => {
    const options = parseLogsArgs(['swaig'], {}, process.cwd());
    expect(options).toEqual({
      target: 'swaig',
      callId: undefined,
      since: '1h',
      follow: false,
      stackName: 'recording-agent-prod',
      region: undefined,
    });
  });

  it('takes stage, stack, region and since from flags or the environment', () => {
    expect(parseLogsArgs(['swml', '--stage', 'dev'], {}).stackName).toBe('recording-agent-dev');
    expect(parseLogsArgs(['swml', '--stack=custom', '--since', '2d', '--follow'], { AWS_REGION: 'eu-west-1' })).toMatchObject({
      stackName: 'custom',
      since: '2d',
      follow: true,
      region: 'eu-west-1',
    });
    expect(parseLogsArgs(['swml'], { STACK_NAME: 'from-env' }).stackName).toBe('from-env');
  });

  it.each([
    [[], /usage/],
    [['nope'], /unknown function "nope"/],
    [['swml', 'extra'], /usage/],
    [['swml', '--bogus'], /unknown option --bogus/],
    [['swml', '--call-id'], /--call-id needs a value/],
    [['swml', '--call-id', 'x" or 1=1'], /--call-id must be/],
    [['all'], /"all" needs --call-id/],
    [['all', '--call-id', CALL, '--follow'], /--follow works with one function/],
    [['swml', '--since', 'yesterday'], /--since must look like/],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseLogsArgs(argv as string[], {})).toThrow(UsageError);
    expect(() => parseLogsArgs(argv as string[], {})).toThrow(message);
  });
});

describe('npm run logs: AWS CLI commands', () => {
  it('reads log groups from the stack outputs', () => {
    const options = parseLogsArgs(['recording-status'], {});
    expect(describeStackArgs(options)).toEqual([
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      'recording-agent-prod',
      '--query',
      'Stacks[0].Outputs',
      '--output',
      'json',
    ]);
    expect(logGroupsFor('recording-status', OUTPUTS)).toEqual(['/g/rs']);
    // Every function of the stack, the ones added after the first six included.
    expect(logGroupsFor('all', OUTPUTS)).toHaveLength(9);
    expect(parseLogsArgs(['transcript-completion'], {}).target).toBe('transcript-completion');
    expect(logGroupsFor('retention-enforcer', OUTPUTS)).toEqual(['/g/retention']);
    expect(logGroupsFor('archive-worker', OUTPUTS)).toEqual(['/g/archive']);
    expect(() => logGroupsFor('swml', {})).toThrow(/LogGroupSwml not found/);
  });

  it('tails one function, filtered to a call by correlation id', () => {
    const options = parseLogsArgs(['swaig', '--call-id', CALL, '--follow', '--region', 'us-east-2'], {});
    expect(tailArgs(options, '/g/swaig')).toEqual([
      'logs',
      'tail',
      '/g/swaig',
      '--since',
      '1h',
      '--format',
      'short',
      '--region',
      'us-east-2',
      '--filter-pattern',
      `{ $.correlation_id = "${CALL}" }`,
      '--follow',
    ]);
  });

  it('runs the saved timeline query across every function for "all"', () => {
    const options = parseLogsArgs(['all', '--call-id', CALL, '--since', '30m'], {});
    const args = startQueryArgs(options, ['/g/a', '/g/b'], 10_000);
    expect(args.slice(0, 9)).toEqual([
      'logs',
      'start-query',
      '--log-group-names',
      '/g/a',
      '/g/b',
      '--start-time',
      String(10_000 - 1800),
      '--end-time',
      '10000',
    ]);
    const query = args[args.indexOf('--query-string') + 1];
    expect(query).toBe(callTimelineQuery(CALL));
    expect(query).toContain(`correlation_id = "${CALL}"`);
    expect(query).not.toContain('CALL_ID');
  });

  it('converts --since and formats Insights rows', () => {
    expect(sinceSeconds('45s')).toBe(45);
    expect(sinceSeconds('2h')).toBe(7200);
    expect(sinceSeconds('1w')).toBe(604_800);
    const rows = formatQueryRows([
      [
        { field: '@timestamp', value: '2026-01-01 10:00:00' },
        { field: 'service', value: 'swaig' },
        { field: 'level', value: 'INFO' },
        { field: 'message', value: 'tool called' },
        { field: '@ptr', value: 'ignored' },
      ],
    ]);
    expect(rows).toEqual(['2026-01-01 10:00:00  swaig  INFO  tool called']);
  });

  it('names log-group outputs the way the stack does', () => {
    expect(logGroupOutputId('payment-connector')).toBe('LogGroupPaymentConnector');
    expect(() => callTimelineQuery('a"b')).toThrow();
  });
});
