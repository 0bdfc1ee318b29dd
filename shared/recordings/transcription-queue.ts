/**
 * One transcription job per stored recording. Production sends it to SQS
 * ({@link SqsTranscriptionQueue} in transcription-queue-store.ts, the only file here that
 * imports the SQS SDK); locally and in tests there is no SQS emulator, so
 * {@link InProcessTranscriptionQueue} keeps the messages in memory behind the same interface.
 */
export interface TranscriptionJob {
  callId: string;
  recordingId: string;
  /** S3 key of the recording's metadata document: everything a worker needs starts there. */
  metadataKey: string;
}

export interface TranscriptionQueue {
  enqueue(job: TranscriptionJob): Promise<void>;
}

/** In-memory queue for the local stack and tests; `messages` is what SQS would have received. */
export class InProcessTranscriptionQueue implements TranscriptionQueue {
  readonly messages: TranscriptionJob[] = [];

  async enqueue(job: TranscriptionJob): Promise<void> {
    this.messages.push({ ...job });
  }
}

/**
 * One job, several queues: the transcription queue and, when the audio archive is on, the
 * archive queue (recording-status builds it; see shared/recordings/http.ts). Sends in order and
 * stops at the first failure, so ingest's `queued` step is marked only once every queue has the
 * job. A failure part-way makes the retry send to the earlier queues again: the same duplicate
 * the ledger already allows (crash between "sent" and "marked"), absorbed by a FIFO queue's
 * deduplication id or by consumers keyed on recordingId (the archive worker skips archived audio).
 */
export class FanOutQueue implements TranscriptionQueue {
  constructor(readonly queues: readonly TranscriptionQueue[]) {}

  async enqueue(job: TranscriptionJob): Promise<void> {
    for (const queue of this.queues) await queue.enqueue(job);
  }
}
