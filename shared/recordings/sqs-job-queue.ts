import { createHash } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { RecordingJob, RecordingJobQueue } from './job-queue.js';
import { onInstanceReset } from '#shared/instance.js';

let sqsClient: SQSClient | undefined;
onInstanceReset(() => {
  sqsClient = undefined;
});

/** Module-scope singleton (reused across warm invocations); endpoint from AWS_ENDPOINT_URL_SQS when set. */
function sqs(): SQSClient {
  sqsClient ??= new SQSClient({ maxAttempts: 2 });
  return sqsClient;
}

/**
 * The transcription queue in SQS. On a FIFO queue the message carries a deduplication id
 * derived from the recording, so even a resend after a crash between "sent" and "marked as
 * sent" in the ingest ledger is absorbed by SQS; on a standard queue, consumers dedupe on
 * recordingId (SQS standard delivers at least once anyway).
 */
export class SqsJobQueue implements RecordingJobQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly client: SQSClient = sqs(),
  ) {}

  async enqueue(job: RecordingJob): Promise<void> {
    const fifo = this.queueUrl.endsWith('.fifo');
    const dedupe = createHash('sha256').update(`${job.callId}/${job.recordingId}`).digest('hex');
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(job),
        ...(fifo ? { MessageGroupId: job.callId, MessageDeduplicationId: dedupe } : {}),
      }),
    );
  }
}
