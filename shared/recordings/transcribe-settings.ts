import { createHash } from 'node:crypto';
import type { MediaFormat, StartTranscriptionJobRequest } from '@aws-sdk/client-transcribe';
import { transcribeOutputKey } from '#shared/storage/layout.js';

/**
 * Everything we ask of Amazon Transcribe, in one place: the job name, the redaction, the
 * channels, the language, where the output goes. The consumer (transcription-consumer-core.ts)
 * sends it; the completion (transcript-completion-core.ts) recognises our jobs by their name.
 */

/** Our jobs' names start with this; the stack's EventBridge rule matches on it. */
export const TRANSCRIBE_JOB_PREFIX = 'recording-agent-';

/**
 * The job name of one recording: deterministic, so a redelivered queue message starts nothing
 * twice (Transcribe answers ConflictException for a name in use). A hash rather than the ids
 * themselves: names allow only [0-9a-zA-Z._-] (ids may hold ':'), and two stacks sharing an
 * account (stages) never collide because the bucket is part of it.
 */
export function transcriptionJobName(bucket: string, callId: string, recordingId: string): string {
  const digest = createHash('sha256').update(`${bucket}/${callId}/${recordingId}`).digest('hex');
  return `${TRANSCRIBE_JOB_PREFIX}${digest.slice(0, 48)}`;
}

/**
 * Every PII type Transcribe redacts, today: bank account and routing numbers, card number, CVV
 * and expiry, PIN, email, address, name, phone, SSN (API_ContentRedaction). `ALL` rather than the
 * list, so a type Transcribe adds later is redacted too. Transcribe has no date-of-birth type:
 * the completion scrubs dates (and any digit run left) itself, see transcript.ts.
 */
const PII_ENTITY_TYPES = ['ALL'] as const;

const MEDIA_FORMATS: Record<string, MediaFormat> = { mp3: 'mp3', wav: 'wav', mp4: 'mp4' };

export interface TranscriptionTarget {
  bucket: string;
  callId: string;
  recordingId: string;
  /** Key of the archived audio (recordings/… or, for a held call, legal-hold/…). */
  audioKey: string;
  format: string | null;
  /** Stereo recordings are transcribed per channel: left (ch_0) = caller, right (ch_1) = agent. */
  stereo: boolean;
  languageCode: string;
}

/** The StartTranscriptionJob request for one recording. */
export function startJobRequest(target: TranscriptionTarget): StartTranscriptionJobRequest {
  const format = MEDIA_FORMATS[target.format ?? ''];
  return {
    TranscriptionJobName: transcriptionJobName(target.bucket, target.callId, target.recordingId),
    LanguageCode: target.languageCode as StartTranscriptionJobRequest['LanguageCode'],
    ...(format ? { MediaFormat: format } : {}),
    Media: { MediaFileUri: `s3://${target.bucket}/${target.audioKey}` },
    // Our bucket, under a short-lived prefix: the completion moves it through the call's write gate.
    OutputBucketName: target.bucket,
    OutputKey: transcribeOutputKey(target.callId, target.recordingId),
    // `redacted` only: an unredacted transcript is never produced, so it can never be stored.
    ContentRedaction: { RedactionType: 'PII', RedactionOutput: 'redacted', PiiEntityTypes: [...PII_ENTITY_TYPES] },
    // Channel identification and speaker labels cannot be combined; a mono recording gets speakers.
    Settings: target.stereo ? { ChannelIdentification: true } : { ShowSpeakerLabels: true, MaxSpeakerLabels: 2 },
  };
}

/** Speaker of each stereo channel (record_call direction "both": caller left, agent right). */
export const CHANNEL_SPEAKERS: Readonly<Record<string, 'caller' | 'agent'>> = { ch_0: 'caller', ch_1: 'agent' };
