import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Token } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import { ROUTES, type RouteName } from '#shared/http/routes.js';
import { AgentApi } from './agent-api.js';
import { AgentFunctions, ARCHIVE_WORKER_TIMEOUT } from './agent-functions.js';
import { AgentSecret, BASIC_AUTH_USER, SignalWireSecret, signalWireFillCommand } from './agent-secret.js';
import { logGroupOutputId } from './log-queries.js';
import { Observability } from './observability.js';
import { readSettings, type StackSettings } from './settings.js';
import { checkStageRequirements } from './stage-requirements.js';
import { Storage } from './storage.js';

/**
 * recording-agent on AWS: HTTP API → five functions → table, bucket, queues; an archive worker
 * on its own queue; the generated agent secret and the operator-filled SignalWire secret;
 * dashboard, alarms and saved queries. Deploy-time choices come from context (see settings.ts).
 */
export class RecordingAgentStack extends Stack {
  readonly settings: StackSettings;
  readonly storage: Storage;
  readonly agentApi: AgentApi;
  readonly functions: AgentFunctions;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const settings = readSettings(this.node);
    checkStageRequirements(settings, Token.isUnresolved(this.region) ? undefined : this.region);
    this.settings = settings;
    const removalPolicy = settings.disposable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRemovalPolicy = settings.disposable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const name = `recording-agent-${settings.stage}`;

    this.storage = new Storage(this, 'Storage', {
      retentionDays: settings.retentionDays,
      disposable: settings.disposable,
      archiveVisibilityTimeout: Duration.seconds(6 * ARCHIVE_WORKER_TIMEOUT.toSeconds()),
    });
    const { secret, paymentSecret } = new AgentSecret(this, 'Secrets', { removalPolicy });
    const signalWireSecret = new SignalWireSecret(this, 'SignalWire', { removalPolicy }).secret;
    // Before the functions: they learn the API's URL from it (see AgentApi).
    this.agentApi = new AgentApi(this, 'Api', {
      name,
      rateLimit: settings.apiRateLimit,
      burstLimit: settings.apiBurstLimit,
      logRetention: settings.logRetentionDays,
      logRemovalPolicy,
    });
    this.functions = new AgentFunctions(this, 'Functions', {
      settings,
      secret,
      paymentSecret,
      signalWireSecret,
      storage: this.storage,
      publicUrl: this.agentApi.url,
      logRetention: settings.logRetentionDays,
      logRemovalPolicy,
    });
    for (const [name, route] of Object.entries(ROUTES) as [RouteName, (typeof ROUTES)[RouteName]][]) {
      this.agentApi.route(
        route.path,
        route.methods.map((method) => HttpMethod[method]),
        this.functions[name],
      );
    }

    this.observability = new Observability(this, 'Observability', {
      name,
      functions: this.functions.all,
      api: this.agentApi.api,
      deadLetterQueues: {
        TranscriptionDlq: {
          queue: this.storage.deadLetterQueue,
          description: 'transcription jobs failed 5 times and wait in the DLQ',
        },
        ArchiveDlq: {
          queue: this.storage.archiveDeadLetterQueue,
          description:
            'audio archive jobs failed 5 times (SignalWire credentials? download?) and wait in the DLQ: fix, then redrive',
        },
      },
      recordingWebhookService: this.functions.recordingStatus.serviceName,
      toolService: this.functions.swaig.serviceName,
      // Functions behind the HTTP API: their error middleware counts UnhandledError.
      httpServices: [
        this.functions.swml,
        this.functions.swaig,
        this.functions.recordingStatus,
        this.functions.paymentConnector,
      ].map((fn) => fn.serviceName),
      transcriptionQueue: this.storage.queue,
      retentionService: this.functions.retentionEnforcer.serviceName,
      transcriptService: this.functions.transcriptCompletion.serviceName,
      alarmTopicArn: settings.alarmTopicArn,
      alarmEmail: settings.alarmEmail,
    });

    this.addOutputs(secret.secretArn, paymentSecret.secretArn, signalWireSecret.secretArn);
  }

  private addOutputs(secretArn: string, paymentSecretArn: string, signalWireSecretArn: string): void {
    const swmlUrl = `${this.agentApi.url}/swml`;
    const out = (id: string, value: string, description: string): CfnOutput => new CfnOutput(this, id, { value, description });
    out('SwmlUrl', swmlUrl, 'SWML URL for SignalWire (add the basic-auth credentials, see SwmlUrlWithCredentials)');
    // The password is never an output: this is the command that reads it, for whoever may.
    out(
      'SwmlUrlWithCredentials',
      `https://${BASIC_AUTH_USER}:<password>@${this.agentApi.api.apiId}.execute-api.${this.region}.${this.urlSuffix}/swml ` +
        `(password: aws secretsmanager get-secret-value --secret-id ${secretArn} --query SecretString --output text | jq -r .password)`,
      'Paste into SignalWire with <password> filled in',
    );
    out('ApiUrl', this.agentApi.url, 'HTTP API base URL');
    out('DashboardUrl', this.observability.dashboardUrl, 'CloudWatch dashboard');
    out('TableName', this.storage.table.tableName, 'DynamoDB table (consent, audit events)');
    out('BucketName', this.storage.bucket.bucketName, 'S3 bucket (recording metadata, legal hold)');
    out('QueueUrl', this.storage.queue.queueUrl, 'SQS transcription queue');
    out('DeadLetterQueueUrl', this.storage.deadLetterQueue.queueUrl, 'SQS transcription DLQ');
    out('SecretArn', secretArn, 'Secrets Manager secret {username, password, tokenSecret, callerHashSecret}');
    out(
      'PaymentSecretArn',
      paymentSecretArn,
      "the payment connector's copy {username, password, tokenSecret}: rotate it with SecretArn",
    );
    // The value is only the ARN; the description says how to fill it (its values never pass through the stack).
    out(
      'SignalWireSecretArn',
      signalWireSecretArn,
      `SignalWire project secret, created empty. Fill it: ${signalWireFillCommand('<this ARN>')}`,
    );
    out('ArchiveQueueUrl', this.storage.archiveQueue.queueUrl, 'SQS audio-archive queue (archive worker)');
    out(
      'ArchiveDeadLetterQueueUrl',
      this.storage.archiveDeadLetterQueue.queueUrl,
      'SQS audio-archive DLQ (redrive after fixing the cause)',
    );
    out('PrivacyFunctionName', this.functions.privacy.functionName, 'Operator function (aws lambda invoke), IAM only');
    for (const fn of this.functions.all) {
      // Read by `npm run logs -- <function>` to find the right log group.
      out(logGroupOutputId(fn.serviceName), fn.logGroupRef.logGroupName, `${fn.serviceName} log group`);
    }
  }
}
