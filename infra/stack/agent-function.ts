import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { AssetHashType, Duration, Stack, Validations, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, ParamsAndSecretsLayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '#shared/observability/metrics.js';
import { bundleFunction, FUNCTION_ENVIRONMENT, FUNCTION_HANDLER } from './bundle.js';
import type { AgentFunctionName } from './settings.js';

/** Repository root: entries and tsconfig are resolved from here, whatever the cwd. */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The Lambda runtime. nodejs22.x rather than 24.x on purpose: the tests run on Node 22 (the
 * npm `node` devDependency), and the deployed major should be the one that was tested.
 */
const AGENT_RUNTIME = Runtime.NODEJS_22_X;

export interface AgentFunctionProps {
  /** Folder under functions/ (and the Powertools service name). */
  name: AgentFunctionName;
  description: string;
  timeout: Duration;
  memorySize: number;
  /**
   * The agent secret (basic auth, token and caller-hash keys): every SignalWire-facing function
   * and privacy read it; the archive worker, which answers no request, gets none.
   */
  secret?: ISecret;
  /** Plain settings (no secrets: environment variables are visible in the console). */
  environment?: Record<string, string>;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  reservedConcurrency?: number;
  /** The Parameters and Secrets extension's arm64 layer version ARN (secrets-extension-layer.ts), resolved once per stack. */
  secretsExtensionLayerArn: string;
}

/**
 * Table access a function may ask for; the names say what the code does with it. Each is the
 * exact list of calls the code makes (shared/consent, shared/recordings, shared/storage): no
 * BatchWriteItem, DescribeTable, ConditionCheckItem or stream actions anywhere.
 * `append`: read a call's items, create and update them (UpdateItem: the per-call write gate
 * `GUARD`, shared/storage/write-gate.ts), never delete or scan: the audit trail is append-only.
 * `expire`: the retention enforcer's Scan for expired items, reads, deletes, its incidents and cursor.
 * `erase`: privacy reads, writes and deletes a call's or a caller's items (the byCaller index).
 */
export type TableAccess = 'append' | 'expire' | 'erase';
const TABLE_ACCESS: Record<TableAccess, { actions: readonly string[]; indexes?: true }> = {
  append: { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] },
  expire: {
    actions: [
      'dynamodb:Scan',
      'dynamodb:Query',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ],
  },
  erase: {
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    indexes: true,
  },
};

/**
 * Bucket access, as exact object actions (no legal-hold, object-lock retention or version
 * tagging: the bucket uses none) and whether the function lists keys. Tags are put separately
 * (PutObjectTagging, see shared/recordings/recording-store.ts). `read-delete`: list, read and
 * delete, never write (the retention enforcer).
 */
export type BucketAccess = 'write' | 'read-write' | 'read-write-delete' | 'read-delete';
const BUCKET_ACCESS: Record<BucketAccess, { objectActions: readonly string[]; list: boolean }> = {
  write: { objectActions: ['s3:PutObject', 's3:PutObjectTagging'], list: false },
  'read-write': { objectActions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging'], list: true },
  'read-delete': { objectActions: ['s3:GetObject', 's3:DeleteObject'], list: true },
  'read-write-delete': {
    objectActions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject'],
    list: true,
  },
};

/** The extension reads a secret with GetSecretValue alone. */
const SECRET_READ = ['secretsmanager:GetSecretValue'] as const;

/**
 * A Lambda function with the house defaults in one place: arm64, the tested Node major, a
 * minified, code-split ESM bundle with source maps (infra/stack/bundle.ts), its own log group
 * with retention, Powertools service name and metrics namespace, and the Parameters and Secrets extension through which
 * shared/aws/secrets.ts reads the agent secret (so no Secrets Manager SDK in any bundle).
 *
 * Storage is attached only through {@link useTable}, {@link useBucket} and {@link useQueue},
 * which grant and set the matching environment variable together: a function cannot get a
 * name without the permission, or the permission without a reason to hold it.
 */
export class AgentFunction extends LambdaFunction {
  /** Powertools service name = the `service` dimension of this function's EMF metrics. */
  readonly serviceName: string;
  readonly logGroupRef: LogGroup;
  /** The execution role; wildcard acknowledgements live on it, next to the grants. */
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: AgentFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to
    // any log group; this one writes only to the function's own (granted below).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `recording-agent ${props.name} execution role`,
    });
    super(scope, id, {
      code: functionCode(props.name),
      handler: FUNCTION_HANDLER,
      description: props.description,
      runtime: AGENT_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      logGroup,
      role,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...FUNCTION_ENVIRONMENT,
        ...(props.secret ? { AGENT_SECRET_ARN: props.secret.secretArn } : {}),
      },
      paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersionArn(props.secretsExtensionLayerArn, {
        // Two secrets at most per function (agent, SignalWire project); cached for the
        // extension's maximum so a warm instance never calls Secrets Manager on the request path.
        cacheSize: 10,
        secretsManagerTtl: Duration.seconds(300),
      }),
    });
    this.serviceName = props.name;
    this.logGroupRef = logGroup;
    this.executionRole = role;
    logGroup.grantWrite(role);
    if (props.secret) this.allow(SECRET_READ, [props.secret.secretArn]);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'nodejs22.x on purpose: the tests run on Node 22 (npm `node` devDependency); deploy the major that was tested',
    });
  }

  /** Grants table access and tells the function the table's name. */
  useTable(table: ITable, access: TableAccess): this {
    const { actions, indexes } = TABLE_ACCESS[access];
    this.allow(actions, [table.tableArn, ...(indexes ? [`${table.tableArn}/index/*`] : [])]);
    this.addEnvironment('TABLE_NAME', table.tableName);
    if (indexes) {
      this.acknowledgeWildcard(
        `Resource::<${logicalId(table)}.Arn>/index/*`,
        'erase and export by caller query the byCaller GSI of this one table; no other table is reachable',
      );
    }
    return this;
  }

  /** Grants bucket access and tells the function the bucket's name. */
  useBucket(bucket: IBucket, access: BucketAccess): this {
    const { objectActions, list } = BUCKET_ACCESS[access];
    this.allow(objectActions, [bucket.arnForObjects('*')]);
    // ListBucket also turns a Get or Head of a missing key into 404 instead of 403 (the code reads "not there").
    if (list) this.allow(['s3:ListBucket'], [bucket.bucketArn]);
    this.addEnvironment('BUCKET_NAME', bucket.bucketName);
    this.acknowledgeWildcard(
      `Resource::<${logicalId(bucket)}.Arn>/*`,
      'objects are keyed per call and recording (recordings/<call_id>/...): object actions need the key wildcard in this one bucket',
    );
    return this;
  }

  /** One exact statement on the execution role: no CDK grant action groups, so the template lists what the code calls. */
  private allow(actions: readonly string[], resources: string[]): void {
    this.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources }));
  }

  private acknowledgeWildcard(finding: string, reason: string): void {
    Validations.of(this.executionRole).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }

  /** Grants send-only access to a queue and tells the function its URL (QUEUE_URL, or `envName`). */
  useQueue(queue: IQueue, envName = 'QUEUE_URL'): this {
    this.allow(['sqs:SendMessage'], [queue.queueArn]);
    this.addEnvironment(envName, queue.queueUrl);
    return this;
  }

  /**
   * Subscribes the function to a queue (the event source mapping grants receive/delete). Partial
   * batch responses: the handler returns `batchItemFailures`, so only failed messages are
   * retried and, after the queue's maxReceiveCount, dead-lettered.
   */
  consumeQueue(queue: IQueue, options: { batchSize: number; maxConcurrency: number }): this {
    this.addEventSource(new SqsEventSource(queue, { ...options, reportBatchItemFailures: true }));
    return this;
  }

  /**
   * Grants read access to the operator-filled SignalWire project secret and tells the function
   * its ARN (shared/aws/secrets.ts loadSignalWireProject reads it through the extension).
   */
  useSignalWireSecret(secret: ISecret): this {
    this.allow(SECRET_READ, [secret.secretArn]);
    this.addEnvironment('SIGNALWIRE_SECRET_ARN', secret.secretArn);
    return this;
  }
}

/** CloudFormation logical id of a construct's resource, as cdk-nag prints it in findings. */
function logicalId(resource: ITable | IBucket): string {
  return Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement);
}

/**
 * The function's asset: its bundle, built here with esbuild (a devDependency, so no Docker) and
 * hashed by its output, so a change that does not change the bundle uploads nothing. The AWS
 * SDK is bundled too: the version we tested, tree-shaken, and faster to load than the
 * runtime's copy spread over many files. Stacks left out of bundling (`aws:cdk:bundling-stacks`,
 * as the infra tests do) never call it.
 */
function functionCode(name: AgentFunctionName): Code {
  const entry = join(PROJECT_ROOT, 'functions', name, 'handler.ts');
  return Code.fromAsset(join(PROJECT_ROOT, 'functions', name), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never used, as local bundling always succeeds or throws.
      image: AGENT_RUNTIME.bundlingImage,
      local: {
        tryBundle(outputDir: string): boolean {
          bundleFunction(entry, outputDir);
          return true;
        },
      },
    },
  });
}
