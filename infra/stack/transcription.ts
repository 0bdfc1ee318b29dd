import { ArnFormat, Duration, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TRANSCRIBE_JOB_PREFIX } from '#shared/recordings/transcribe-settings.js';
import { BUCKET_PREFIXES } from '#shared/storage/layout.js';
import type { AgentFunction } from './agent-function.js';
import type { Storage } from './storage.js';

export interface TranscriptionProps {
  worker: AgentFunction;
  completion: AgentFunction;
  storage: Storage;
}

/**
 * The transcript pipeline's wiring, least privilege (issue #15):
 * - the worker consumes the transcription queue (partial batch responses; the queue's DLQ after
 *   5 receives, alarmed) and may start our Transcribe jobs (names `recording-agent-*`) only.
 *   Transcribe reads the media and writes its output with the caller's permissions, so the worker
 *   also reads recordings/ and legal-hold/ (audio, metadata) and writes transcribe-output/ only;
 * - an EventBridge rule sends our jobs' COMPLETED/FAILED state changes to the completion, which
 *   reads our jobs, reads and deletes transcribe-output/, reads recordings/ and legal-hold/,
 *   writes (and tags) transcripts there, never deletes them, and appends audit events through the
 *   call's write gate (table `append`).
 * Neither gets an agent or SignalWire secret. Returns the rule.
 */
export function wireTranscription(scope: Construct, { worker, completion, storage }: TranscriptionProps): Rule {
  const stack = Stack.of(scope);
  const { bucket } = storage;
  const jobs = stack.formatArn({
    service: 'transcribe',
    resource: 'transcription-job',
    resourceName: `${TRANSCRIBE_JOB_PREFIX}*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  const objects = (...prefixes: string[]): string[] => prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));
  const list = (...prefixes: string[]): PolicyStatement =>
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
    });
  const { recordings, archive, legalHold, transcribeOutput } = BUCKET_PREFIXES;
  // Listing a call's objects lists all its prefixes (shared/storage/call-data-store.ts), archive/ included.
  const callPrefixes = [recordings, archive, legalHold, transcribeOutput];

  worker.consumeQueue(storage.queue, { batchSize: 5, maxConcurrency: 5 });
  worker.addToRolePolicy(new PolicyStatement({ actions: ['transcribe:StartTranscriptionJob'], resources: [jobs] }));
  worker.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: objects(recordings, legalHold) }));
  worker.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: objects(transcribeOutput) }));
  worker.addToRolePolicy(list(...callPrefixes));
  worker.addEnvironment('BUCKET_NAME', bucket.bucketName);

  completion.useTable(storage.table, 'append');
  completion.addToRolePolicy(new PolicyStatement({ actions: ['transcribe:GetTranscriptionJob'], resources: [jobs] }));
  completion.addToRolePolicy(
    new PolicyStatement({ actions: ['s3:GetObject'], resources: objects(recordings, legalHold, transcribeOutput) }),
  );
  completion.addToRolePolicy(
    new PolicyStatement({ actions: ['s3:PutObject', 's3:PutObjectTagging'], resources: objects(recordings, legalHold) }),
  );
  completion.addToRolePolicy(new PolicyStatement({ actions: ['s3:DeleteObject'], resources: objects(transcribeOutput) }));
  completion.addToRolePolicy(list(...callPrefixes));
  completion.addEnvironment('BUCKET_NAME', bucket.bucketName);

  const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
  for (const fn of [worker, completion]) {
    for (const prefix of [recordings, legalHold, transcribeOutput]) {
      Validations.of(fn.executionRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason: 'objects are keyed per call and recording under this one prefix of this one bucket',
      });
    }
    // The ARN as cdk-nag prints it: tokens for an environment-agnostic stack, literals for a pinned one.
    const stack = Stack.of(fn);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(fn.executionRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:transcribe:${region}:${account}:transcription-job/${TRANSCRIBE_JOB_PREFIX}*]`,
      reason: 'job names are derived per recording (transcribe-settings.ts); only jobs named with our prefix',
    });
  }

  return new Rule(scope, 'TranscribeJobStateRule', {
    description: 'our Transcribe jobs ended (COMPLETED or FAILED) → transcript completion',
    eventPattern: {
      source: ['aws.transcribe'],
      detailType: ['Transcribe Job State Change'],
      detail: {
        TranscriptionJobStatus: ['COMPLETED', 'FAILED'],
        TranscriptionJobName: [{ prefix: TRANSCRIBE_JOB_PREFIX }],
      },
    },
    // EventBridge retries a failed invocation; Transcribe's output waits a day (its lifecycle rule).
    targets: [new LambdaFunction(completion, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
  });
}
