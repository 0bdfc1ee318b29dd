import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { getConfig } from '#shared/config.js';
import { onInstanceReset } from '#shared/instance.js';

/**
 * SDK clients as module-scope singletons, reused across warm invocations. Endpoints come from
 * the SDK's own AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3 variables, so the same code
 * talks to AWS in the cloud and to the embedded emulators locally.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let s3Client: S3Client | undefined;

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 2 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function s3(): S3Client {
  s3Client ??= new S3Client({ forcePathStyle: getConfig().S3_FORCE_PATH_STYLE, maxAttempts: 2 });
  return s3Client;
}

onInstanceReset(() => {
  documentClient = undefined;
  s3Client = undefined;
});
