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
