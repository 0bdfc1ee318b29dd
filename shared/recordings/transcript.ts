import * as z from '#shared/validation/zod.js';
import { REDACTED, redactString } from '#shared/validation/personal-data.js';
import { CHANNEL_SPEAKERS } from './transcribe-settings.js';

/**
 * The transcript we store next to a recording (`recordings/<call>/<rec>.transcript.json`), built
 * from Transcribe's redacted output: who said what, when, in speaker turns. Per-word timings and
 * confidences are not kept: nobody reads them, and less stored is less to protect.
 */
interface TranscriptSegment {
  /** `caller` / `agent` (stereo, by channel), `speaker 1` / `speaker 2` (mono, Transcribe's diarization). */
  speaker: string;
  startSeconds: number;
  endSeconds: number;
  text: string;
}

export interface TranscriptDocument {
  kind: 'recording-agent-transcript';
  version: 1;
  callId: string;
  recordingId: string;
  jobName: string;
  languageCode: string;
  /** Transcribe's PII redaction (`[PII]`), then ours over what it has no type for (dates, digit runs). */
  redaction: 'pii';
  segments: TranscriptSegment[];
  storedAt: string;
}

/** What Transcribe marks a redacted span with; our own pass uses the same mark. */
const PII_MARK = '[PII]';

const Item = z.object({
  type: z.string(),
  start_time: z.optional(z.string()),
  end_time: z.optional(z.string()),
  channel_label: z.optional(z.string()),
  speaker_label: z.optional(z.string()),
  alternatives: z.array(z.object({ content: z.string() })),
});
type Item = z.infer<typeof Item>;

/** The part of Transcribe's output JSON we read (channel_labels with ChannelIdentification, else items). */
const TranscribeOutput = z.object({
  results: z.object({
    items: z.optional(z.array(Item)),
    channel_labels: z.optional(z.object({ channels: z.array(z.object({ channel_label: z.string(), items: z.array(Item) })) })),
  }),
});

/** Not Transcribe's output format: the job's output cannot be stored (reported as a failed transcript). */
export class TranscriptFormatError extends Error {
  override name = 'TranscriptFormatError';
}

/**
 * Transcribe has no date-of-birth type, and a number it did not recognise as PII (a card read in
 * an odd rhythm) stays in its output: the log redaction's patterns (digit runs, SSNs, dates) run
 * over every turn too, marked like Transcribe's.
 */
function scrubTranscriptText(text: string): string {
  return redactString(text).replaceAll(REDACTED, PII_MARK);
}

interface Word {
  speaker: string;
  start: number;
  end: number;
  content: string;
  punctuation: boolean;
}

function speakerOf(item: Item, channel: string | undefined): string {
  const label = channel ?? item.channel_label;
  if (label) return CHANNEL_SPEAKERS[label] ?? label;
  const speaker = /^spk_(\d+)$/.exec(item.speaker_label ?? '');
  return speaker ? `speaker ${Number(speaker[1]) + 1}` : 'speaker';
}

/** Words in spoken order; punctuation (no timing of its own) keeps the speaker and time of the word before. */
function wordsOf(items: readonly Item[], channel?: string): Word[] {
  const words: Word[] = [];
  for (const item of items) {
    const content = item.alternatives[0]?.content ?? '';
    const previous = words.at(-1);
    const punctuation = item.type === 'punctuation';
    const start = punctuation ? (previous?.end ?? 0) : Number(item.start_time ?? previous?.end ?? 0);
    const end = punctuation ? start : Number(item.end_time ?? start);
    const speaker = punctuation && previous ? previous.speaker : speakerOf(item, channel);
    words.push({ speaker, start, end, content, punctuation });
  }
  return words;
}

/** Consecutive words of one speaker make one turn. */
function turns(words: readonly Word[]): TranscriptSegment[] {
  const segments: TranscriptSegment[] = [];
  for (const word of words) {
    const current = segments.at(-1);
    if (current && current.speaker === word.speaker) {
      current.text += word.punctuation ? word.content : ` ${word.content}`;
      current.endSeconds = Math.max(current.endSeconds, word.end);
    } else {
      segments.push({ speaker: word.speaker, startSeconds: word.start, endSeconds: word.end, text: word.content });
    }
  }
  return segments.map((s) => ({ ...s, text: scrubTranscriptText(s.text.trim()) }));
}

/** Our transcript from Transcribe's redacted output JSON; throws {@link TranscriptFormatError} for anything else. */
export function transcriptFromTranscribeOutput(
  output: unknown,
  job: Omit<TranscriptDocument, 'kind' | 'version' | 'redaction' | 'segments'>,
): TranscriptDocument {
  const parsed = TranscribeOutput.safeParse(output);
  if (!parsed.success) throw new TranscriptFormatError('not a Transcribe output document');
  const { results } = parsed.data;
  const words = results.channel_labels
    ? results.channel_labels.channels
        .flatMap((channel) => wordsOf(channel.items, channel.channel_label))
        // Channels are timed separately from the start of the audio: interleave them by time.
        .sort((a, b) => a.start - b.start)
    : wordsOf(results.items ?? []);
  return { kind: 'recording-agent-transcript', version: 1, redaction: 'pii', ...job, segments: turns(words) };
}

const clock = (seconds: number): string =>
  `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

/** One line per turn: `[mm:ss] speaker: text` (what `recording-agent transcript` prints). */
export function formatTranscript(doc: Pick<TranscriptDocument, 'segments'>): string {
  return doc.segments.map((s) => `[${clock(s.startSeconds)}] ${s.speaker}: ${s.text}`).join('\n');
}
