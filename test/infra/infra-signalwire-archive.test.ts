import { describe, expect, it } from 'vitest';
import { actionsOf, envOf, functionId, resourcesOf, synthStack } from './infra-support.js';

/** Who may read the SignalWire project secret, and why (see infra/stack/agent-functions.ts). */
const SIGNALWIRE_READERS = ['swml', 'recording-status', 'payment-connector', 'privacy', 'archive-worker', 'retention-enforcer'];
const ALL = ['swml', 'swaig', 'recording-status', 'payment-connector', 'privacy', 'archive-worker', 'retention-enforcer'];

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

describe('SignalWire project secret', () => {
  const { template } = synthStack();
  const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
  const [secretId, secret] = Object.entries(secrets).find(([id]) => id.startsWith('SignalWireProject'))!;
  const functions = resourcesOf(template, 'AWS::Lambda::Function');

  it('is created with empty placeholders only: no value in the template, nothing generated', () => {
    // Assess: exactly the four keys the runtime reads, every one empty.
    expect(JSON.parse(secret.Properties?.SecretString as string)).toEqual({
      projectId: '',
      apiToken: '',
      signingKey: '',
      spaceUrl: '',
    });
    expect(secret.Properties?.GenerateSecretString).toBeUndefined();
    expect(secret.DeletionPolicy).toBe('Retain');
    const description = String(secret.Properties?.Description);
    expect(description).toContain('aws secretsmanager put-secret-value --secret-id');
    expect(description).toMatch(/"projectId".*"apiToken".*"signingKey".*"spaceUrl"/);
  });

  it('is readable only by the functions that use it, which are told its ARN', () => {
    // Prepare: every policy statement naming this secret, and the role it is attached to.
    const roleOf = (service: string) =>
      (functions[functionId(template, service)]?.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const readers = new Set<string>();
    for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
      const doc = policy.Properties?.PolicyDocument as { Statement: Statement[] };
      const naming = doc.Statement.filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ Ref: secretId }));
      if (naming.length === 0) continue;
      for (const st of naming) {
        expect(st.Effect).toBe('Allow');
        expect([st.Action].flat().sort()).toEqual(['secretsmanager:GetSecretValue']);
      }
      for (const role of policy.Properties?.Roles as { Ref: string }[]) {
        const service = ALL.find((s) => roleOf(s) === role.Ref);
        readers.add(service ?? `unknown role ${role.Ref}`);
      }
    }
    // Assess
    expect([...readers].sort()).toEqual([...SIGNALWIRE_READERS].sort());
    for (const service of ALL) {
      const env = envOf(functions[functionId(template, service)]!);
      if (SIGNALWIRE_READERS.includes(service)) expect(env.SIGNALWIRE_SECRET_ARN, service).toEqual({ Ref: secretId });
      else expect(env.SIGNALWIRE_SECRET_ARN, service).toBeUndefined();
      // No SignalWire credential travels as a plain environment variable.
      expect(
        Object.keys(env).filter((k) => /^SIGNALWIRE_(SIGNING_KEY|PROJECT_ID|API_TOKEN|SPACE_URL)$/.test(k)),
        service,
      ).toEqual([]);
    }
  });

  it('is an output whose description is the fill command', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    expect(outputs.SignalWireSecretArn?.Value).toEqual({ Ref: secretId });
    expect(outputs.SignalWireSecretArn?.Description).toContain(
      'aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string \'{"projectId"',
    );
  });
});

describe('audio archive: queue, DLQ and worker', () => {
  const { template } = synthStack();
  const queues = resourcesOf(template, 'AWS::SQS::Queue');
  const [queueId, queue] = Object.entries(queues).find(([id]) => id.startsWith('StorageArchiveQueue'))!;
  const [dlqId] = Object.entries(queues).find(([id]) => id.startsWith('StorageArchiveDlq'))!;
  const functions = resourcesOf(template, 'AWS::Lambda::Function');
  const workerId = functionId(template, 'archive-worker');
  const worker = functions[workerId]!;

  it('dead-letters a job after 5 receives; both queues encrypted and TLS-only', () => {
    expect(queue.Properties?.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 5,
    });
    for (const id of [queueId, dlqId]) {
      expect(queues[id]?.Properties?.SqsManagedSseEnabled).toBe(true);
      const policies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy')).filter(
        (p) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: id }]),
      );
      expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
    }
    // Six times the worker's timeout (AWS's advice for an SQS event source).
    expect(queue.Properties?.VisibilityTimeout).toBe(6 * (worker.Properties?.Timeout as number));
  });

  it('triggers the worker from the archive queue with partial batch responses', () => {
    // The other mapping is the transcription worker's (test/infra/transcription.test.ts).
    const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).filter(
      (m) => JSON.stringify(m.Properties?.FunctionName) === JSON.stringify({ Ref: workerId }),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toMatchObject({
      FunctionName: { Ref: workerId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('gives the worker the bucket (read and put, never delete), the queue it consumes, the SignalWire secret and an append-only table (the signalwire_copy_deleted event), nothing else', () => {
    const env = envOf(worker);
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'archive-worker',
      BUCKET_NAME: expect.anything(),
      TABLE_NAME: expect.anything(),
    });
    for (const name of ['AGENT_SECRET_ARN', 'QUEUE_URL', 'ARCHIVE_QUEUE_URL']) expect(env[name], name).toBeUndefined();
    const actions = actionsOf(template, 'archive-worker');
    expect(actions).toEqual(
      expect.arrayContaining(['s3:GetObject', 's3:ListBucket', 's3:PutObject', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']),
    );
    expect(actions.filter((a) => /^s3:Delete|^dynamodb:(DeleteItem|BatchWriteItem|Scan)|^sqs:SendMessage/.test(a))).toEqual([]);
    expect(worker.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 1024, Timeout: 120 });
  });

  it('is fed by recording-status only: ARCHIVE_QUEUE_URL and send rights on that one function', () => {
    for (const service of ALL) {
      const env = envOf(functions[functionId(template, service)]!);
      if (service === 'recording-status') expect(env.ARCHIVE_QUEUE_URL).toEqual({ Ref: queueId });
      else expect(env.ARCHIVE_QUEUE_URL, service).toBeUndefined();
    }
    const senders = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p) =>
      (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.some(
        (st) => [st.Action].flat().includes('sqs:SendMessage') && JSON.stringify(st.Resource).includes(queueId),
      ),
    );
    expect(senders).toHaveLength(1);
    expect(JSON.stringify(senders[0]?.Properties?.Roles)).toContain('RecordingStatusRole');
  });

  it('is watched: errors and throttles alarms on the worker, a not-empty alarm on its DLQ', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const onWorker = alarms.filter(
      (a) => JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: workerId } }]),
    );
    expect(onWorker.map((a) => a.MetricName).sort()).toEqual(['Errors', 'Throttles']);
    const onDlq = alarms.filter(
      (a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Dimensions).includes(dlqId),
    );
    expect(onDlq).toEqual([expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })]);
    expect(String(onDlq[0]?.AlarmDescription)).toMatch(/archive/);
  });
});
