import { describe, expect, it } from 'vitest';
import { actionsOf, envOf, functionId, resourcesOf, synthStack } from './infra-support.js';

describe('retention enforcer in the stack', () => {
  const { template } = synthStack();
  const functions = resourcesOf(template, 'AWS::Lambda::Function');
  const enforcerId = functionId(template, 'retention-enforcer');

  it('is invoked daily by EventBridge Scheduler, and by nothing public', () => {
    const schedules = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(1);
    const props = schedules[0]!.Properties!;
    expect(props.ScheduleExpression).toBe('cron(17 3 * * ? *)');
    expect(props.State).toBe('ENABLED');
    expect(JSON.stringify(props.Target)).toContain(enforcerId);
    const routes = JSON.stringify(resourcesOf(template, 'AWS::ApiGatewayV2::Integration'));
    expect(routes).not.toContain(enforcerId);
  });

  it("may list, read and delete in table and bucket and take a call's operator lock, never write an object", () => {
    const actions = actionsOf(template, 'retention-enforcer').filter((a) => /^(dynamodb|s3|sqs):/.test(a));
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:Scan',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        // The call's operator lock on its write gate item (shared/storage/write-gate.ts).
        'dynamodb:UpdateItem',
        's3:DeleteObject',
        's3:ListBucket',
        's3:GetObject',
      ]),
    );
    expect(actions.filter((a) => /^s3:(Put|Abort)/.test(a) || /^dynamodb:BatchWriteItem/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('sqs:'))).toEqual([]);
    const env = envOf(functions[enforcerId]!);
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'BUCKET_NAME', 'SIGNALWIRE_SECRET_ARN', 'RETENTION_DAYS']),
    );
    expect(env.AGENT_SECRET_ARN).toBeUndefined();
  });

  it('alarms on its errors and on recordings without a callback', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const errors = alarms.filter((a) => a.MetricName === 'Errors' && JSON.stringify(a.Dimensions).includes(enforcerId));
    expect(errors).toEqual([expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })]);
    expect(alarms.filter((a) => a.MetricName === 'RecordingWithoutCallback')).toEqual([
      expect.objectContaining({
        Namespace: 'RecordingAgent',
        Dimensions: [{ Name: 'service', Value: 'retention-enforcer' }],
        Threshold: 1,
      }),
    ]);
  });

  it('passes SIGNALWIRE_COPY from context to the archive worker, which may append the audit event', () => {
    const worker = envOf(functions[functionId(template, 'archive-worker')]!);
    expect(worker.SIGNALWIRE_COPY).toBe('delete-after-archive');
    expect(
      envOf(
        synthStack({ signalwireCopy: 'keep-until-retention' }).template.findResources('AWS::Lambda::Function')[
          functionId(synthStack({ signalwireCopy: 'keep-until-retention' }).template, 'archive-worker')
        ] as never,
      ).SIGNALWIRE_COPY,
    ).toBe('keep-until-retention');
    const actions = actionsOf(template, 'archive-worker');
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']));
    expect(actions.filter((a) => /^dynamodb:(DeleteItem|Scan)/.test(a))).toEqual([]);
  });
});
