import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { TABLE } from '#shared/storage/layout.js';
import { MetricName } from '#shared/observability/metrics.js';
import { actionsOf, envOf, functionId, resourcesOf, synthStack } from './infra-support.js';

/** The functions that answer requests (SignalWire or operator); all read the agent secret. */
const SERVICES = ['swml', 'swaig', 'recording-status', 'payment-connector', 'privacy'] as const;
/** Plus the SQS-triggered archive worker (its own assertions: infra-signalwire-archive.test.ts). */
const ALL_SERVICES = [...SERVICES, 'archive-worker', 'retention-enforcer'] as const;

describe('functions', () => {
  const { template } = synthStack();
  const functions = resourcesOf(template, 'AWS::Lambda::Function');

  it('has one function per service, all arm64 on the tested Node major with the secrets extension', () => {
    expect(Object.keys(functions)).toHaveLength(9);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties?.Runtime).toBe('nodejs22.x');
      expect(fn.Properties?.Architectures).toEqual(['arm64']);
      expect(fn.Properties?.Handler).toBe('index.handler');
      // Parameters and Secrets extension: shared/aws/secrets.ts reads the secret through it.
      // Environment-agnostic synth: the arm64 layer of the deploy region, from the stack's mapping.
      expect(fn.Properties?.Layers).toEqual([{ 'Fn::FindInMap': ['SecretsExtensionArm64Layer', { Ref: 'AWS::Region' }, 'arn'] }]);
      expect(fn.Properties?.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) } });
    }
    expect(new Set(ALL_SERVICES.map((s) => functionId(template, s))).size).toBe(7);
  });

  it('sets the house environment on every function', () => {
    for (const service of SERVICES) {
      const env = envOf(functions[functionId(template, service)]!);
      expect(env).toMatchObject({
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: 'RecordingAgent',
        RETENTION_DAYS: '90',
        RECORDING_MODE: 'consent-first',
        PRIVACY_CONTACT: expect.any(String),
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
      });
      // No --enable-source-maps: it parses the source map on every cold start (infra/stack/bundle.ts).
      expect(env.NODE_OPTIONS).toBeUndefined();
      // The payment connector's secret has no caller-hash key (production-deploy.test.ts).
      expect(env.AGENT_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^Secrets(Agent|Payment)/) });
      expect(env.SWML_PROXY_URL_BASE).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiHttpApi/), 'ApiEndpoint'] });
    }
  });

  it('names storage only to the functions granted it', () => {
    const names = (service: string) => Object.keys(envOf(functions[functionId(template, service)]!));
    expect(names('swml')).not.toEqual(expect.arrayContaining(['TABLE_NAME']));
    // The table only: each payment's outcome goes into its call's audit trail.
    expect(names('payment-connector').filter((n) => ['TABLE_NAME', 'BUCKET_NAME', 'QUEUE_URL'].includes(n))).toEqual([
      'TABLE_NAME',
    ]);
    expect(names('swaig')).toContain('TABLE_NAME');
    expect(names('swaig')).not.toContain('BUCKET_NAME');
    expect(names('recording-status')).toEqual(expect.arrayContaining(['TABLE_NAME', 'BUCKET_NAME', 'QUEUE_URL']));
    expect(names('privacy')).toEqual(expect.arrayContaining(['TABLE_NAME', 'BUCKET_NAME']));
    expect(names('privacy')).not.toContain('QUEUE_URL');
  });

  it('keeps SignalWire-facing functions inside SignalWire patience', () => {
    for (const service of ['swml', 'swaig']) {
      const fn = functions[functionId(template, service)]!;
      expect(fn.Properties?.Timeout).toBeLessThanOrEqual(10);
      expect(fn.Properties?.MemorySize).toBeGreaterThanOrEqual(512);
    }
  });

  it('gives each function its own log group with retention', () => {
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    for (const fn of Object.values(functions)) {
      const ref = (fn.Properties?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(groups[ref]?.Properties?.RetentionInDays).toBe(30);
    }
  });

  it('applies reserved concurrency and retention from context (CLI strings included)', () => {
    const custom = synthStack({ retentionDays: '30', disposable: 'true', reservedConcurrency: '{"swaig": 7}' }).template;
    const fns = resourcesOf(custom, 'AWS::Lambda::Function');
    expect(fns[functionId(custom, 'swaig')]?.Properties?.ReservedConcurrentExecutions).toBe(7);
    expect(fns[functionId(custom, 'swml')]?.Properties?.ReservedConcurrentExecutions).toBeUndefined();
    expect(envOf(fns[functionId(custom, 'swml')]!).RETENTION_DAYS).toBe('30');
  });

  it('rejects bad context naming the key', () => {
    expect(() => synthStack({ retentionDays: 0 })).toThrow(/retentionDays/);
    expect(() => synthStack({ recordingMode: 'always' })).toThrow(/recordingMode/);
  });
});

describe('least privilege', () => {
  const { template } = synthStack();
  const storageActions = (actions: string[]) => actions.filter((a) => /^(dynamodb|s3|sqs):/.test(a));

  it('swml touches no storage: only its log group and the secrets', () => {
    const actions = actionsOf(template, 'swml');
    expect(storageActions(actions)).toEqual([]);
    expect([...new Set(actions)].sort()).toEqual(
      ['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue'].sort(),
    );
  });

  it('payment-connector only appends to the table (a payment outcome on its call), never deletes, no bucket or queue', () => {
    const actions = storageActions(actionsOf(template, 'payment-connector'));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']));
    expect(actions.filter((a) => !a.startsWith('dynamodb:'))).toEqual([]);
    expect(actions.filter((a) => /^dynamodb:(DeleteItem|BatchWriteItem|Scan)/.test(a))).toEqual([]);
  });

  it('swaig reads and writes the table only', () => {
    const actions = storageActions(actionsOf(template, 'swaig'));
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']),
    );
    expect(actions.filter((a) => !a.startsWith('dynamodb:'))).toEqual([]);
    // The audit trail is append-only: only the privacy function may delete.
    expect(actions.filter((a) => /^dynamodb:(DeleteItem|BatchWriteItem|Scan)/.test(a))).toEqual([]);
  });

  it('recording-status writes the bucket, reads/writes the table and sends to the queue, nothing more', () => {
    const actions = storageActions(actionsOf(template, 'recording-status'));
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 'dynamodb:PutItem', 'sqs:SendMessage']));
    expect(actions.filter((a) => /^s3:(Get|Delete|List)/.test(a))).toEqual([]);
    expect(actions.filter((a) => /^dynamodb:(DeleteItem|BatchWriteItem|Scan)/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('sqs:') && a !== 'sqs:SendMessage' && !a.startsWith('sqs:GetQueue'))).toEqual([]);
  });

  // The bucket grants cover exports/ too: privacy writes big exports there, signs their GET
  // URLs with its own role (a presigned URL carries the signer's permissions) and erases them.
  it('privacy may read, write and delete in table and bucket but not use the queue', () => {
    const actions = storageActions(actionsOf(template, 'privacy'));
    expect(actions).toEqual(
      expect.arrayContaining(['s3:DeleteObject', 's3:PutObject', 's3:GetObject', 'dynamodb:DeleteItem', 'dynamodb:Query']),
    );
    expect(actions.filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('attaches no AWS managed policy to any role', () => {
    for (const role of Object.values(resourcesOf(template, 'AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('is not reachable by any public route', () => {
    const privacyId = functionId(template, 'privacy');
    for (const integration of Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Integration'))) {
      expect(JSON.stringify(integration.Properties?.IntegrationUri)).not.toContain(privacyId);
    }
  });
});

describe('table', () => {
  it('matches shared/aws/table.ts: keys, TTL, byCaller and byDay GSIs, on demand, PITR, encrypted, retained', () => {
    const { template } = synthStack();
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byCaller',
            KeySchema: [
              { AttributeName: 'callerHash', KeyType: 'HASH' },
              { AttributeName: 'pk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
          {
            // The operator console's lists by day (shared/storage/day-index.ts): no Scan.
            IndexName: 'byDay',
            KeySchema: [
              { AttributeName: 'listDay', KeyType: 'HASH' },
              { AttributeName: 'listKey', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    });
  });

  it('is destroyed with a disposable stage', () => {
    const { template } = synthStack({ retentionDays: '30', disposable: 'true', reservedConcurrency: '{"swaig": 7}' });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('bucket', () => {
  type Rule = { Prefix?: string; ExpirationInDays?: number; Status: string };
  const recordingsBucket = (context: Record<string, unknown> = {}) => {
    const { template } = synthStack(context);
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');
    const entry = Object.entries(buckets).find(([id]) => id.startsWith('StorageRecordings'));
    if (!entry) throw new Error('recordings bucket missing');
    return { template, id: entry[0], bucket: entry[1] };
  };
  const rules = (bucket: { Properties?: Record<string, unknown> }) =>
    (bucket.Properties?.LifecycleConfiguration as { Rules: Rule[] }).Rules;

  it('expires recordings/ and archive/ after 90 days by default', () => {
    const { bucket } = recordingsBucket();
    expect(rules(bucket)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: 'recordings/', ExpirationInDays: 90, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'archive/', ExpirationInDays: 90, Status: 'Enabled' }),
      ]),
    );
  });

  it('follows the retentionDays context', () => {
    const { bucket } = recordingsBucket({ retentionDays: '30', disposable: 'true', reservedConcurrency: '{"swaig": 7}' });
    const expiring = rules(bucket).filter(
      (r) => r.ExpirationInDays !== undefined && r.Prefix !== 'exports/' && r.Prefix !== 'transcribe-output/',
    );
    expect(expiring.map((r) => r.ExpirationInDays)).toEqual([30, 30]);
  });

  it('expires exports/ (big privacy exports, personal data) after 1 day, whatever the retention', () => {
    for (const context of [{}, { retentionDays: '3650' }]) {
      const { bucket } = recordingsBucket(context);
      const rule = rules(bucket).find((r) => r.Prefix === 'exports/');
      expect(rule).toMatchObject({ ExpirationInDays: 1, Status: 'Enabled' });
      expect(rule?.ExpirationInDays).toBeGreaterThanOrEqual(1);
      expect(rule?.ExpirationInDays).toBeLessThanOrEqual(7);
      // Not filtered on the retention tag: an untagged export object is covered.
      expect(JSON.stringify(rule)).not.toContain('TagFilters');
    }
  });

  it('never expires legal-hold/: every expiring rule is scoped to another prefix', () => {
    const { bucket } = recordingsBucket();
    const expiring = rules(bucket).filter((r) => r.ExpirationInDays !== undefined);
    expect(expiring.length).toBeGreaterThan(0);
    for (const rule of expiring) {
      expect(rule.Prefix).toBeTruthy();
      expect('legal-hold/x'.startsWith(rule.Prefix as string)).toBe(false);
    }
  });

  it('is private, TLS-only, encrypted, unversioned, access-logged and retained', () => {
    const { template, id, bucket } = recordingsBucket();
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^StorageAccessLogs/) } },
    });
    expect(bucket.Properties?.VersioningConfiguration).toBeUndefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('queue', () => {
  it('sends failed transcription jobs to an encrypted DLQ after 5 receives; both TLS-only', () => {
    const { template } = synthStack();
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const [mainId, main] = Object.entries(queues).find(([id]) => id.startsWith('StorageTranscriptionQueue'))!;
    const [dlqId] = Object.entries(queues).find(([id]) => id.startsWith('StorageTranscriptionDlq'))!;
    expect(main.Properties?.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 5,
    });
    for (const queue of Object.values(queues)) expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    for (const id of [mainId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('HTTP API', () => {
  const { template } = synthStack();

  it('routes exactly the SignalWire-facing paths to their functions', () => {
    const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));
    const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
    const table = Object.fromEntries(
      routes.map((route) => {
        const target = (route.Properties?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
        const uri = JSON.stringify(integrations[target]?.Properties?.IntegrationUri);
        const service = SERVICES.find((s) => uri.includes(functionId(template, s)));
        return [route.Properties?.RouteKey as string, service];
      }),
    );
    expect(table).toEqual({
      'GET /swml': 'swml',
      'POST /swml': 'swml',
      'POST /swaig': 'swaig',
      'POST /recording-status': 'recording-status',
      'POST /payment': 'payment-connector',
    });
  });

  it('throttles the stage and writes access logs without headers or query strings', () => {
    const stages = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const stage = stages[0]!.Properties!;
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [expect.stringMatching(/^ApiAccessLogs/), 'Arn'] } },
    });
    const format = (stage.AccessLogSettings as { Format: string }).Format;
    expect(JSON.parse(format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(format).not.toMatch(/header|querystring|\$context\.path/i);
  });
});

describe('secret', () => {
  it('composes the agent secret from generated URL-safe values, never from literals', () => {
    const { template } = synthStack();
    const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
    const generated = Object.values(secrets).filter((s) => s.Properties?.GenerateSecretString);
    expect(generated).toHaveLength(3);
    for (const s of generated) expect(s.Properties?.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    const [, agent] = Object.entries(secrets).find(([id]) => id.startsWith('SecretsAgent'))!;
    const text = JSON.stringify(agent.Properties?.SecretString);
    for (const key of ['password', 'tokenSecret', 'callerHashSecret']) {
      expect(text).toMatch(new RegExp(`\\\\"${key}\\\\":\\\\"{{resolve:secretsmanager:`));
    }
    expect(text).toContain('\\"username\\":\\"signalwire\\"');
  });
});

describe('observability', () => {
  const { template } = synthStack();

  it('has a dashboard with every function and every EMF metric', () => {
    const dashboards = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties?.DashboardBody);
    for (const name of Object.values(MetricName)) expect(body).toContain(name);
    for (const fn of ALL_SERVICES) expect(body).toContain(`\\"label\\":\\"${fn}\\"`);
    // HTTP APIs publish 4xx/5xx (REST APIs say 4XXError/5XXError).
    expect(body).toContain('\\"AWS/ApiGateway\\",\\"5xx\\"');
    expect(body).toContain('\\"AWS/ApiGateway\\",\\"4xx\\"');
  });

  it('alarms on errors and throttles per function, DLQ depth, recordings without consent, recording incidents and API 5xx rate', () => {
    // 9 functions, 2 DLQs, 5 incident metrics (TranscriptFailed: test/infra/transcription.test.ts), API 5xx,
    // + the absolute 5xx count, unhandled errors and the transcription queue's age (production-deploy.test.ts).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9 * 2 + 8 + 3);
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const byMetric = (name: string) => alarms.filter((a) => a.MetricName === name);
    expect(byMetric('Errors')).toHaveLength(9);
    expect(byMetric('Throttles')).toHaveLength(9);
    // One per DLQ: transcription and archive.
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toEqual([
      expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
      expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
    ]);
    expect(byMetric('RecordingWithoutConsent')).toEqual([
      expect.objectContaining({
        Namespace: 'RecordingAgent',
        Dimensions: [{ Name: 'service', Value: 'recording-status' }],
        Threshold: 1,
      }),
    ]);
    expect(byMetric('RecordingIncident')).toEqual([
      expect.objectContaining({
        Namespace: 'RecordingAgent',
        Dimensions: [{ Name: 'service', Value: 'recording-status' }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      }),
    ]);
    expect(byMetric('SensitiveWhileRecording')).toEqual([
      expect.objectContaining({ Namespace: 'RecordingAgent', Dimensions: [{ Name: 'service', Value: 'swaig' }], Threshold: 1 }),
    ]);
    const rate = alarms.find((a) => JSON.stringify(a.Metrics ?? null).includes('errors / requests'));
    expect(JSON.stringify(rate?.Metrics)).toContain('5xx');
    expect(JSON.stringify(rate?.Metrics)).toContain('100 * errors / requests');
  });

  it('saves the Logs Insights queries over every function log group', () => {
    const queries = Object.values(resourcesOf(template, 'AWS::Logs::QueryDefinition')).map((q) => q.Properties!);
    expect(queries.map((q) => q.Name).sort()).toEqual(
      [
        'recording-agent-prod/auth failures',
        'recording-agent-prod/call timeline by call_id (replace CALL_ID)',
        'recording-agent-prod/cold starts',
        'recording-agent-prod/consent outcomes',
      ].sort(),
    );
    for (const q of queries) expect(q.LogGroupNames).toHaveLength(9);
    const timeline = queries.find((q) => String(q.Name).includes('timeline'));
    expect(timeline?.QueryString).toContain('correlation_id = "CALL_ID"');
    const cold = queries.find((q) => String(q.Name).includes('cold'));
    expect(cold?.QueryString).toContain('@type = "REPORT"');
  });
});

describe('outputs', () => {
  it('says where to paste, how to get the password, and where things are, without any secret value', () => {
    const { template } = synthStack();
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const key of [
      'SwmlUrl',
      'SwmlUrlWithCredentials',
      'DashboardUrl',
      'TableName',
      'BucketName',
      'QueueUrl',
      'SecretArn',
      'SignalWireSecretArn',
      'ArchiveQueueUrl',
      'PrivacyFunctionName',
    ]) {
      expect(outputs, key).toHaveProperty(key);
    }
    for (const service of ['Swml', 'Swaig', 'RecordingStatus', 'PaymentConnector', 'Privacy', 'ArchiveWorker']) {
      expect(outputs).toHaveProperty(`LogGroup${service}`);
    }
    expect(JSON.stringify(outputs.SwmlUrl?.Value)).toMatch(/ApiEndpoint.*\/swml/);
    const hint = JSON.stringify(outputs.SwmlUrlWithCredentials?.Value);
    expect(hint).toContain('aws secretsmanager get-secret-value --secret-id ');
    expect(hint).toContain('https://signalwire:<password>@');
    expect(JSON.stringify(outputs)).not.toMatch(/resolve:secretsmanager|SecretString:::/);
  });
});
