import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { SECRETS_EXTENSION_ARM64_LAYER_NAME, SECRETS_EXTENSION_ARM64_LAYERS } from '#infra/stack/secrets-extension-layer.js';
import { actionsOf, envOf, functionId, PROD_SETTINGS, resourcesOf, synthStack, statementsOf } from './infra-support.js';

/** Issue #13: what `cdk deploy` gives a real account, in two regions of one account. */
const ACCOUNT = '123456789012';
const US = { account: ACCOUNT, region: 'us-east-1' };
const EU = { account: ACCOUNT, region: 'eu-west-1' };

const sortedActions = (template: ReturnType<typeof synthStack>['template'], service: string): string[] =>
  [...new Set(actionsOf(template, service))].sort();

describe('two regions, one account (point 1)', { timeout: 120_000 }, () => {
  for (const env of [US, EU]) {
    it(`synthesizes for ${env.region} with region-scoped names`, () => {
      const { template, stack } = synthStack({}, env);
      expect(stack.region).toBe(env.region);
      const [dashboard] = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
      // Dashboards are account-wide: the region is part of the name.
      expect(JSON.stringify(dashboard?.Properties?.DashboardName)).toContain(env.region);
      const [api] = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Api'));
      expect(api?.Properties?.Name).toBe('recording-agent-prod');
      // The region's own secrets-extension layer (point 7).
      for (const fn of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
        expect(fn.Properties?.Layers).toEqual([SECRETS_EXTENSION_ARM64_LAYERS[env.region]]);
      }
    });
  }

  it('gives the two regions different dashboard names', () => {
    const name = (env: typeof US) =>
      JSON.stringify(Object.values(resourcesOf(synthStack({}, env).template, 'AWS::CloudWatch::Dashboard'))[0]?.Properties);
    expect(name(US)).not.toEqual(name(EU));
  });

  it('names the API after the stack on every stage', () => {
    const { template } = synthStack({ stage: 'dev', disposable: 'true' }, US, { bare: true });
    const [api] = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Api'));
    expect(api?.Properties?.Name).toBe('recording-agent-dev');
  });
});

describe('a prod stage says what it needs (points 2, 3, 8)', { timeout: 120_000 }, () => {
  it('fails without the required settings, naming each', () => {
    expect(() => synthStack({}, US, { bare: true })).toThrow(
      /privacyContact is required[\s\S]*agentName is required[\s\S]*companyName is required[\s\S]*alarmEmail or alarmTopicArn is required[\s\S]*paymentConnectorUrl is required/,
    );
  });

  it('fails without a payment connector unless the test gateway is explicitly allowed', () => {
    const { paymentConnectorUrl: _omitted, ...rest } = PROD_SETTINGS;
    expect(() => synthStack(rest, US, { bare: true })).toThrow(/paymentConnectorUrl is required/);
    const allowed = synthStack({ ...rest, allowTestGateway: 'true' }, US, { bare: true }).template;
    expect(
      envOf(resourcesOf(allowed, 'AWS::Lambda::Function')[functionId(allowed, 'swaig')]!).PAYMENT_CONNECTOR_URL,
    ).toBeUndefined();
  });

  it('passes with them and hands them to the functions', () => {
    const { template } = synthStack({}, US);
    for (const service of ['swml', 'swaig', 'payment-connector']) {
      expect(envOf(resourcesOf(template, 'AWS::Lambda::Function')[functionId(template, service)]!)).toMatchObject({
        PRIVACY_CONTACT: PROD_SETTINGS.privacyContact,
        AGENT_NAME: PROD_SETTINGS.agentName,
        COMPANY_NAME: PROD_SETTINGS.companyName,
        // The pay verb posts cards to the processor's connector: they never reach AWS.
        PAYMENT_CONNECTOR_URL: PROD_SETTINGS.paymentConnectorUrl,
      });
    }
  });

  it('subscribes alarmEmail to a TLS-only topic that every alarm notifies', () => {
    const { template } = synthStack({}, US);
    const topics = Object.keys(resourcesOf(template, 'AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: PROD_SETTINGS.alarmEmail });
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(24);
    for (const alarm of alarms) expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topics[0] }]);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('takes an existing topic in the same region and refuses one in another region', () => {
    const { alarmEmail: _omitted, ...rest } = PROD_SETTINGS;
    const arn = (region: string) => `arn:aws:sns:${region}:${ACCOUNT}:oncall`;
    const { template } = synthStack({ ...rest, alarmTopicArn: arn('eu-west-1') }, EU, { bare: true });
    expect(Object.keys(resourcesOf(template, 'AWS::SNS::Topic'))).toEqual([]);
    for (const alarm of Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties?.AlarmActions).toEqual([arn('eu-west-1')]);
    }
    expect(() => synthStack({ ...rest, alarmTopicArn: arn('us-east-1') }, EU, { bare: true })).toThrow(
      /alarmTopicArn is in us-east-1, the stack in eu-west-1/,
    );
    expect(() => synthStack({ ...rest, alarmTopicArn: 'arn:aws:s3:::bucket' }, EU, { bare: true })).toThrow(/alarmTopicArn/);
  });

  it('lets a disposable dev stage deploy with none of them (demo voice, test gateway, no alarm actions)', () => {
    const { template } = synthStack({ stage: 'dev', disposable: 'true' }, EU, { bare: true });
    const env = envOf(resourcesOf(template, 'AWS::Lambda::Function')[functionId(template, 'swml')]!);
    expect(env).toMatchObject({ PRIVACY_CONTACT: 'privacy@example.com', AGENT_NAME: expect.any(String) });
    expect(env.PAYMENT_CONNECTOR_URL).toBeUndefined();
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('alarms that fire at low traffic (points 4, 11)', () => {
  const { template } = synthStack({}, US);
  const alarms = Object.entries(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
    ([id, a]): Record<string, unknown> & { id: string } => ({ ...a.Properties, id }),
  );

  it('pages on 3 or more 5xx answers in 15 minutes, whatever the request count', () => {
    const count = alarms.find((a) => a.id.startsWith('ObservabilityApi5xxCount'));
    expect(count).toMatchObject({
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
      Statistic: 'Sum',
      Period: 900,
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('pages on any UnhandledError from the functions behind the API', () => {
    const unhandled = alarms.find((a) => a.id.startsWith('ObservabilityUnhandledErrors'));
    const text = JSON.stringify(unhandled?.Metrics);
    for (const service of ['swml', 'swaig', 'recording-status', 'payment-connector']) {
      expect(text).toContain(`{"Name":"service","Value":"${service}"}`);
    }
    expect(text).toContain('"MetricName":"UnhandledError"');
    expect(unhandled).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it("alarms on the transcription queue's oldest message (a stuck consumer)", () => {
    const age = alarms.find((a) => a.id.startsWith('ObservabilityTranscriptionQueueAge'));
    expect(age).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Namespace: 'AWS/SQS',
      Threshold: 86_400,
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/^StorageTranscriptionQueue/), 'QueueName'] } },
      ],
    });
  });
});

describe('access logs under /aws/vendedlogs/ (point 5)', () => {
  it('names the access-log group per API under /aws/vendedlogs/', () => {
    const { template } = synthStack({}, US);
    const [group] = Object.entries(resourcesOf(template, 'AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('ApiAccessLogs'));
    const name = JSON.stringify(group?.[1].Properties?.LogGroupName);
    expect(name).toMatch(/^\{"Fn::Join":\["",\["\/aws\/vendedlogs\/apigateway\/recording-agent-prod\/",\{"Ref":"ApiHttpApi/);
  });
});

describe('reserved concurrency an account accepts (point 6)', { timeout: 120_000 }, () => {
  it('refuses a total over the account limit less the 100 Lambda keeps unreserved', () => {
    // One number applies to each of the nine functions: 9 × 200 = 1,800 > 900.
    expect(() => synthStack({ reservedConcurrency: '200' }, US)).toThrow(/reserves 1800 executions[\s\S]*at most 900/);
    expect(() => synthStack({ reservedConcurrency: '100', accountConcurrencyLimit: '5000' }, US)).not.toThrow();
  });

  it("keeps the archive worker's reservation at or above its event source's maximum concurrency", () => {
    expect(() => synthStack({ reservedConcurrency: '{"archive-worker": 2}' }, US)).toThrow(/archive-worker must be at least 5/);
    const { template } = synthStack({ reservedConcurrency: '{"archive-worker": 5, "swaig": 20}' }, US);
    const fns = resourcesOf(template, 'AWS::Lambda::Function');
    expect(fns[functionId(template, 'archive-worker')]?.Properties?.ReservedConcurrentExecutions).toBe(5);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 5 } });
  });
});

describe('secrets extension layer (point 7)', { timeout: 120_000 }, () => {
  it('is a current arm64 layer in every listed region (not 1.0.103, layer version 4)', () => {
    for (const [region, arn] of Object.entries(SECRETS_EXTENSION_ARM64_LAYERS)) {
      expect(arn).toMatch(
        new RegExp(`^arn:aws:lambda:${region}:\\d{12}:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:(\\d+)$`),
      );
      expect(Number(arn.split(':').at(-1))).toBeGreaterThan(4);
    }
  });

  /** A layer version the table does not hold (version 99), as an operator would pin it. */
  const pinned = (region: string, name: string = SECRETS_EXTENSION_ARM64_LAYER_NAME): string =>
    `arn:aws:lambda:${region}:${ACCOUNT}:layer:${name}:99`;
  const layersOf = (template: ReturnType<typeof synthStack>['template']): unknown[] =>
    Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((fn) => fn.Properties?.Layers);

  for (const env of [US, EU]) {
    it(`takes secretsExtensionLayerArn over the table in ${env.region}`, () => {
      const { template } = synthStack({ secretsExtensionLayerArn: pinned(env.region) }, env);
      expect(layersOf(template)).toEqual(Array(9).fill([pinned(env.region)]));
    });
  }

  it('refuses a secretsExtensionLayerArn of another region', () => {
    expect(() => synthStack({ secretsExtensionLayerArn: pinned('us-east-1') }, EU)).toThrow(
      /secretsExtensionLayerArn is in us-east-1, the stack in eu-west-1/,
    );
  });

  it('refuses a secretsExtensionLayerArn of another layer', () => {
    expect(() => synthStack({ secretsExtensionLayerArn: pinned('us-east-1', 'my-own-layer') }, US)).toThrow(
      /invalid CDK context: secretsExtensionLayerArn: the ARN of a layer version/,
    );
    // A function ARN, or a layer without its version, is no layer version either.
    expect(() => synthStack({ secretsExtensionLayerArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:swml` }, US)).toThrow(
      /secretsExtensionLayerArn/,
    );
    expect(() =>
      synthStack(
        { secretsExtensionLayerArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:${SECRETS_EXTENSION_ARM64_LAYER_NAME}` },
        US,
      ),
    ).toThrow(/secretsExtensionLayerArn/);
  });

  it('refuses the x86_64 layer as secretsExtensionLayerArn (the functions run on arm64)', () => {
    expect(() =>
      synthStack({ secretsExtensionLayerArn: pinned('us-east-1', 'AWS-Parameters-and-Secrets-Lambda-Extension') }, US),
    ).toThrow(/secretsExtensionLayerArn: .*-Arm64:<version> \(the arm64 layer/);
  });

  it('refuses secretsExtensionLayerArn for an environment-agnostic stack (no region to check it against)', () => {
    expect(() => synthStack({ secretsExtensionLayerArn: pinned('us-east-1') })).toThrow(
      /secretsExtensionLayerArn \(a layer in us-east-1\) needs a stack with a concrete region/,
    );
  });

  it('fails the synth for a region it has no layer for, and synthesizes it with secretsExtensionLayerArn', () => {
    const unlisted = { account: ACCOUNT, region: 'me-central-1' };
    expect(() => synthStack({}, unlisted)).toThrow(
      /no AWS Parameters and Secrets Lambda Extension \(arm64\) layer is listed for region me-central-1[\s\S]*-c secretsExtensionLayerArn=<ARN>/,
    );
    const { template } = synthStack({ secretsExtensionLayerArn: pinned('me-central-1') }, unlisted);
    expect(layersOf(template)).toEqual(Array(9).fill([pinned('me-central-1')]));
  });
});

describe('least privilege, exactly (point 10)', () => {
  const { template } = synthStack({}, US);
  const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  const SECRET = ['secretsmanager:GetSecretValue'];
  const APPEND = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];
  const EXACT: Record<string, string[]> = {
    swml: [...LOGS, ...SECRET],
    swaig: [...LOGS, ...SECRET, ...APPEND],
    'recording-status': [...LOGS, ...SECRET, ...APPEND, 's3:PutObject', 's3:PutObjectTagging', 'sqs:SendMessage'],
    'payment-connector': [...LOGS, ...SECRET, ...APPEND],
    privacy: [
      ...LOGS,
      ...SECRET,
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectTagging',
    ],
    'archive-worker': [
      ...LOGS,
      ...SECRET,
      ...APPEND,
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectTagging',
      // The SQS event source mapping's own grant.
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ],
    'retention-enforcer': [
      ...LOGS,
      ...SECRET,
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
    ],
    // Reads the audio; Transcribe writes its output with the caller's rights (s3:PutObject on transcribe-output/).
    'transcription-worker': [
      ...LOGS,
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'transcribe:StartTranscriptionJob',
    ],
    'transcript-completion': [
      ...LOGS,
      ...APPEND,
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectTagging',
      'transcribe:GetTranscriptionJob',
    ],
  };

  for (const [service, actions] of Object.entries(EXACT)) {
    it(`${service} has exactly its actions`, () => {
      expect(sortedActions(template, service)).toEqual([...actions].sort());
    });
  }

  it('gives the payment connector (PCI scope) a secret without the caller-hash key, and no read of the full one', () => {
    const secrets = Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret'));
    const idOf = (description: RegExp): string =>
      secrets.find(([, r]) => description.test(String(r.Properties?.Description)))?.[0] ?? 'missing';
    const full = idOf(/read by the functions/);
    const payment = idOf(/read by the payment connector/);
    const paymentSecret = secrets.find(([id]) => id === payment)?.[1];
    expect(JSON.stringify(paymentSecret?.Properties?.SecretString)).not.toContain('callerHashSecret');
    const fn = resourcesOf(template, 'AWS::Lambda::Function')[functionId(template, 'payment-connector')];
    expect(JSON.stringify(envOf(fn!).AGENT_SECRET_ARN)).toContain(payment);
    const reads = JSON.stringify(
      statementsOf(template, 'payment-connector').filter((st) => JSON.stringify(st.Action).includes('secretsmanager')),
    );
    expect(reads).toContain(payment);
    expect(reads).not.toContain(full);
    // Everyone else that hashes callers still reads the full secret.
    const swml = resourcesOf(template, 'AWS::Lambda::Function')[functionId(template, 'swml')];
    expect(JSON.stringify(envOf(swml!).AGENT_SECRET_ARN)).toContain(full);
  });

  it('lets only privacy query the table indexes', () => {
    for (const service of Object.keys(EXACT)) {
      const onIndexes = statementsOf(template, service).filter((st) => JSON.stringify(st.Resource).includes('/index/*'));
      if (service === 'privacy') expect(onIndexes.flatMap((st) => [st.Action].flat())).toContain('dynamodb:Query');
      else expect(onIndexes, service).toEqual([]);
    }
  });

  it('projects only keys into the caller index (its query reads keys only)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ IndexName: 'byCaller', Projection: { ProjectionType: 'KEYS_ONLY' } }),
      ]),
    });
  });
});
