import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Endpoints } from '#infra/local/endpoints.js';
import type { Act } from './actions.js';
import type { ConsoleSource } from './server.js';
import { TableReader } from './queries.js';

/** Reads of the local stack's emulators, as endpoints.json describes them. */
export function localSource(
  endpoints: Endpoints,
  act: Act,
  settings: { retentionDays: number; requestedBy: string },
): ConsoleSource {
  const common = {
    region: endpoints.region,
    credentials: { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey },
  };
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }));
  return {
    reader: new TableReader(db, endpoints.table),
    bucket: { client: new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true }), bucket: endpoints.bucket },
    act,
    label: `local stack (${endpoints.api})`,
    readFailureHint: 'a local data folder created before the byDay index needs a fresh LOCAL_DATA_DIR',
    ...settings,
  };
}

/**
 * Reads of a deployed stack with the operator's own AWS credentials (the default SDK chain):
 * Query/GetItem on the table and GetObject/ListBucket on the bucket named by the stack's
 * outputs. Actions go through the privacy function (see the console command), never here.
 */
export async function deployedSource(
  stackName: string,
  act: Act,
  settings: { retentionDays: number; requestedBy: string },
): Promise<ConsoleSource> {
  const described = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stackName }));
  const output = (key: string): string => {
    const value = described.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
    if (!value) throw new Error(`stack ${stackName} has no ${key} output (is it a recording-agent stack?)`);
    return value;
  };
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
    reader: new TableReader(db, output('TableName')),
    bucket: { client: new S3Client({}), bucket: output('BucketName') },
    act,
    label: `stack ${stackName}`,
    readFailureHint:
      'check that your AWS credentials and region may Query/GetItem the table and GetObject/ListBucket the bucket the stack names',
    ...settings,
  };
}
