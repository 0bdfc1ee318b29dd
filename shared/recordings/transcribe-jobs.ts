import {
  ConflictException,
  GetTranscriptionJobCommand,
  NotFoundException,
  StartTranscriptionJobCommand,
  TranscribeClient,
  type StartTranscriptionJobRequest,
  type TranscriptionJob,
} from '@aws-sdk/client-transcribe';
import { onInstanceReset } from '#shared/instance.js';

/**
 * The two Transcribe calls we make, as a port: the consumer starts a job, the completion reads
 * one. {@link SdkTranscribeJobs} is the only adapter; tests and the local stack run it too,
 * against the local stand-in of Transcribe's API (infra/local/transcribe-standin.ts).
 */
export interface TranscribeJobs {
  /** `already_started`: a job of that name exists (a redelivered queue message), nothing was started. */
  start(request: StartTranscriptionJobRequest): Promise<'started' | 'already_started'>;
  /** undefined: no such job (expired from Transcribe's list, or never ours). */
  get(jobName: string): Promise<TranscriptionJob | undefined>;
}

let client: TranscribeClient | undefined;
onInstanceReset(() => {
  client = undefined;
});

/** Module-scope singleton; endpoint from AWS_ENDPOINT_URL_TRANSCRIBE when set (the local stand-in). */
function transcribeClient(): TranscribeClient {
  client ??= new TranscribeClient({ maxAttempts: 3 });
  return client;
}

export class SdkTranscribeJobs implements TranscribeJobs {
  constructor(private readonly sdk: TranscribeClient = transcribeClient()) {}

  async start(request: StartTranscriptionJobRequest): Promise<'started' | 'already_started'> {
    try {
      await this.sdk.send(new StartTranscriptionJobCommand(request));
      return 'started';
    } catch (error) {
      // Job names are unique per account and region: a conflict is our own earlier start.
      if (error instanceof ConflictException) return 'already_started';
      throw error;
    }
  }

  async get(jobName: string): Promise<TranscriptionJob | undefined> {
    try {
      const result = await this.sdk.send(new GetTranscriptionJobCommand({ TranscriptionJobName: jobName }));
      return result.TranscriptionJob;
    } catch (error) {
      if (error instanceof NotFoundException) return undefined;
      throw error;
    }
  }
}
