/**
 * One job per stored recording, for every consumer of stored recordings: the transcription
 * queue and, when the audio archive is on, the archive queue. Production sends it to SQS
 * ({@link SqsJobQueue} in sqs-job-queue.ts, the only file here that
 * imports the SQS SDK); locally and in tests there is no SQS emulator, so
 * {@link InProcessJobQueue} keeps the messages in memory behind the same interface.
 */
export interface RecordingJob {
  callId: string;
  recordingId: string;
  /** S3 key of the recording's metadata document: everything a worker needs starts there. */
  metadataKey: string;
}

export interface RecordingJobQueue {
  enqueue(job: RecordingJob): Promise<void>;
}

let inProcessConsumer: ((job: RecordingJob) => void) | undefined;

/**
 * The local stack's stand-in of the queue's event source mapping (infra/local/transcription.ts):
 * every job an {@link InProcessJobQueue} of this process receives is handed to it as well.
 * `undefined` unsubscribes. Never set in a Lambda: there the queue is SQS.
 */
export function consumeInProcessJobs(consumer: ((job: RecordingJob) => void) | undefined): void {
  inProcessConsumer = consumer;
}

/** In-memory queue for the local stack and tests; `messages` is what SQS would have received. */
export class InProcessJobQueue implements RecordingJobQueue {
  readonly messages: RecordingJob[] = [];

  async enqueue(job: RecordingJob): Promise<void> {
    this.messages.push({ ...job });
    inProcessConsumer?.({ ...job });
  }
}

/**
 * One job, several queues: the transcription queue and, when the audio archive is on, the
 * archive queue (recording-status builds it; see shared/recordings/recording-status-core.ts). Sends in order and
 * stops at the first failure, so ingest's `queued` step is marked only once every queue has the
 * job. A failure part-way makes the retry send to the earlier queues again: the same duplicate
 * the ledger already allows (crash between "sent" and "marked"), absorbed by a FIFO queue's
 * deduplication id or by consumers keyed on recordingId (the archive worker skips archived audio).
 */
export class FanOutQueue implements RecordingJobQueue {
  constructor(readonly queues: readonly RecordingJobQueue[]) {}

  async enqueue(job: RecordingJob): Promise<void> {
    for (const queue of this.queues) await queue.enqueue(job);
  }
}
