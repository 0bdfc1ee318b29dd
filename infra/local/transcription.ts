import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { s3 } from '#shared/aws/clients.js';
import { consumeInProcessJobs, type RecordingJob } from '#shared/recordings/job-queue.js';
import { S3RecordingStore } from '#shared/recordings/recording-store.js';
import { transcriptCompletionCore } from '#shared/recordings/transcript-completion-core.js';
import { transcriptionConsumerCore } from '#shared/recordings/transcription-consumer-core.js';
import { audioKey } from '#shared/storage/layout.js';
import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import { startTranscribeStandIn, type ScriptLine } from './transcribe-standin.js';

/**
 * The transcription pipeline on one machine: what SQS, the archive worker and EventBridge do in
 * the cloud, done in process around the real cores and the real Transcribe SDK client.
 * - The queue: jobs the recording webhook puts on its in-process queue are consumed here by
 *   the real consumer core (an SQS-shaped event), retried a few times like SQS redelivers.
 * - The audio: SignalWire's recording cannot be downloaded locally, so a placeholder audio
 *   object is written where the archive worker would put it (through the call's write gate).
 * - Transcribe and its EventBridge rule: the stand-in (transcribe-standin.ts), whose job-end
 *   callback runs the real completion core.
 */
export interface LocalTranscription {
  /** AWS_ENDPOINT_URL_TRANSCRIBE for the SDK client. */
  endpoint: string;
  /** Resolves when every job received so far has been transcribed (or has given up). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const ATTEMPTS = 3;
const RETRY_MS = 100;
const PLACEHOLDER_AUDIO = Buffer.from('ID3\u0003local stand-in audio: SignalWire recordings are not downloaded locally');

async function placeholderAudio(job: RecordingJob): Promise<void> {
  const pass = await dynamoWriteGate().enter(job.callId);
  if (pass === 'erased') return;
  try {
    const store = new S3RecordingStore();
    const metadata = await store.get(job.callId, job.recordingId);
    // A held call's recording (under legal-hold/) gets no placeholder: its job fails like one without audio.
    if (!metadata || pass.held) return;
    const key = audioKey(job.callId, job.recordingId, metadata.format);
    if (!(await store.exists(key))) await store.putAudio(key, PLACEHOLDER_AUDIO, 'audio/mpeg');
  } finally {
    await pass.leave();
  }
}

const sqsEvent = (job: RecordingJob): SQSEvent =>
  ({ Records: [{ messageId: randomUUID(), body: JSON.stringify(job) }] }) as unknown as SQSEvent;

export async function startLocalTranscription(options: {
  region: string;
  script?: readonly ScriptLine[];
}): Promise<LocalTranscription> {
  const standIn = await startTranscribeStandIn({
    s3: s3(),
    region: options.region,
    onStateChange: (detail) => transcriptCompletionCore({ detail }),
    ...(options.script ? { script: options.script } : {}),
  });
  const pending = new Set<Promise<void>>();
  const consume = async (job: RecordingJob): Promise<void> => {
    await placeholderAudio(job);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      const result = await transcriptionConsumerCore(sqsEvent(job));
      if (result.batchItemFailures.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS * attempt));
    }
  };
  consumeInProcessJobs((job) => {
    const done = consume(job)
      .catch(() => undefined)
      .finally(() => pending.delete(done));
    pending.add(done);
  });
  const settle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.all([...pending]);
    await standIn.settle();
  };
  return {
    endpoint: standIn.endpoint,
    settle,
    async stop() {
      consumeInProcessJobs(undefined);
      await settle();
      await standIn.stop();
    },
  };
}
