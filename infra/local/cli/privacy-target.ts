import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import { userInfo } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { parseConfig } from '#shared/config.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import { S3ExportObjects } from '#shared/storage/export-objects.js';
import type { PrivacyDeps } from '#shared/privacy/deps.js';
import { runPrivacyRequest, type OperatorResponse, type PrivacyRequest } from '#shared/privacy/privacy-core.js';
import { signalWireRecordingsFromConfig } from '#shared/signalwire/recordings.js';
import { isRequestedBy } from '#shared/privacy/types.js';
import { loadOrCreateCredentials } from '../credentials.js';
import type { CliContext } from './command.js';
import type { AgentSession } from './session.js';

/** Where privacy commands run: the local stack's storage in-process, or a deployed stack's privacy function. */
export type PrivacyTarget = { kind: 'local' } | { kind: 'stack'; stackName: string };

/** CloudFormation output naming the privacy function (infra/stack/recording-agent-stack.ts). */
const PRIVACY_FUNCTION_OUTPUT = 'PrivacyFunctionName';

/** The operator's login as the audit trail's `requestedBy`, when it fits the pattern; else 'cli'. */
export function defaultRequestedBy(): string {
  try {
    const name = userInfo().username;
    return isRequestedBy(name) ? name : 'cli';
  } catch {
    return 'cli';
  }
}

/**
 * Privacy dependencies on the local stack's emulators, found through its endpoints.json (the
 * same session the other commands use). The caller-hash key is the one the local functions
 * use: credentials.json in the data directory, or CALLER_HASH_SECRET from the environment.
 */
function localPrivacyDeps(session: AgentSession, env: NodeJS.ProcessEnv = process.env): PrivacyDeps {
  const { endpoints } = session;
  const config = parseConfig(env);
  const common = {
    region: endpoints.region,
    credentials: { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey },
    maxAttempts: 2,
  };
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const objects = new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true });
  const signalwire = signalWireRecordingsFromConfig(config);
  return {
    data: new AwsCallDataStore(db, objects, endpoints.table, endpoints.bucket),
    consent: new DynamoConsentStore(db, endpoints.table, config.RETENTION_DAYS),
    ...(signalwire ? { signalwire } : {}),
    callerHashSecret: async () => loadOrCreateCredentials(session.dataDir, env).CALLER_HASH_SECRET,
    retentionDays: config.RETENTION_DAYS,
    gate: dynamoWriteGate(db, endpoints.table, config.RETENTION_DAYS),
    // Presigned URLs point at the emulator's endpoint, so `export --out` downloads as it would from S3.
    exports: { objects: new S3ExportObjects(objects, endpoints.bucket), maxInlineBytes: config.EXPORT_INLINE_MAX_BYTES },
  };
}

/** The privacy function of a deployed stack, by its CloudFormation output. */
async function privacyFunctionName(stackName: string, client: CloudFormationClient): Promise<string> {
  const described = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const name = described.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === PRIVACY_FUNCTION_OUTPUT)?.OutputValue;
  if (!name) throw new Error(`stack ${stackName} has no ${PRIVACY_FUNCTION_OUTPUT} output (is it a recording-agent stack?)`);
  return name;
}

/**
 * Runs the request through the deployed privacy function (lambda:InvokeFunction with the
 * AWS credentials in the environment): table, bucket, secret and SignalWire settings are the
 * function's own, and IAM decides who may do this. An unhandled function error is thrown.
 */
async function invokeDeployed(stackName: string, request: PrivacyRequest): Promise<OperatorResponse> {
  const functionName = await privacyFunctionName(stackName, new CloudFormationClient({}));
  const result = await new LambdaClient({}).send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(request)),
    }),
  );
  const payload = result.Payload ? new TextDecoder().decode(result.Payload) : '';
  if (result.FunctionError) {
    let message = payload;
    try {
      message = String((JSON.parse(payload) as { errorMessage?: unknown }).errorMessage ?? payload);
    } catch {
      // not JSON: show it as it is
    }
    throw new Error(`privacy function ${functionName} failed: ${message.slice(0, 500)}`);
  }
  return JSON.parse(payload) as OperatorResponse;
}

/** Run a validated request on the chosen target. */
export async function runOnTarget(
  target: PrivacyTarget,
  request: PrivacyRequest,
  context: CliContext,
): Promise<OperatorResponse> {
  if (target.kind === 'stack') {
    context.err(`invoking the privacy function of stack ${target.stackName}`);
    return invokeDeployed(target.stackName, request);
  }
  const session = await context.session();
  return runPrivacyRequest(request, localPrivacyDeps(session));
}
