import { S3Client } from '@aws-sdk/client-s3';
import { listKeys, readJsonObject } from '#shared/aws/s3-objects.js';
import { formatTranscript, type TranscriptDocument } from '#shared/recordings/transcript.js';
import { callPrefixes, isTranscriptKey } from '#shared/storage/layout.js';
import type { Endpoints } from '../endpoints.js';

/** The call's stored transcripts (in place or under legal hold), read from the stack's S3 as any outside tool would. */
export async function readTranscripts(endpoints: Endpoints, callId: string): Promise<TranscriptDocument[]> {
  const s3 = new S3Client({
    region: endpoints.region,
    credentials: { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey },
    endpoint: endpoints.s3,
    forcePathStyle: true,
  });
  const { recordings, legalHold } = callPrefixes(callId);
  const keys = [...(await listKeys(s3, endpoints.bucket, recordings)), ...(await listKeys(s3, endpoints.bucket, legalHold))];
  const docs = await Promise.all(keys.filter(isTranscriptKey).map((key) => readJsonObject(s3, endpoints.bucket, key)));
  return docs.filter((d): d is TranscriptDocument => typeof d === 'object' && d !== null);
}

/** Polls until the call has a transcript or `timeoutMs` passed (the local pipeline runs beside the webhook). */
export async function waitForTranscripts(endpoints: Endpoints, callId: string, timeoutMs: number): Promise<TranscriptDocument[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await readTranscripts(endpoints, callId);
    if (found.length > 0 || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Each transcript as `recording <id> (<language>, PII redacted)` followed by its turns by speaker. */
export function printable(transcripts: readonly TranscriptDocument[]): string {
  return transcripts
    .map((t) => `recording ${t.recordingId} (${t.languageCode}, PII redacted)\n${formatTranscript(t)}`)
    .join('\n\n');
}
