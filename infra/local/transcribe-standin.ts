import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * A local stand-in of Amazon Transcribe's batch API. No Transcribe emulator exists (the S3 and
 * DynamoDB emulators have no Transcribe counterpart), so the real `@aws-sdk/client-transcribe`
 * is pointed (AWS_ENDPOINT_URL_TRANSCRIBE) at this small HTTP server, which speaks Transcribe's
 * JSON 1.1 protocol (`X-Amz-Target: Transcribe.<Operation>`) for the two operations we use:
 * StartTranscriptionJob and GetTranscriptionJob.
 *
 * It does not recognise speech. A job reads its media from the S3 emulator (missing media fails
 * the job, as Transcribe would), "hears" a fixed script (or the one given), and writes Transcribe's
 * output JSON (channel_labels for ChannelIdentification, speaker labels otherwise) to
 * OutputBucketName/OutputKey, with PII redacted as Transcribe does: `[PII]` for SSNs and card
 * numbers. Like Transcribe, it has no date-of-birth type and leaves dates alone: our completion
 * scrubs them. It refuses `redacted_and_unredacted`: an unredacted transcript is never produced
 * here either. When a job ends it calls `onStateChange` with EventBridge's "Transcribe Job State
 * Change" detail: the stand-in of the stack's EventBridge rule.
 */

export interface ScriptLine {
  speaker: 'caller' | 'agent';
  text: string;
}

/** What the scripted caller says: an SSN, a date of birth and a card number, planted to prove redaction. */
const DEFAULT_SCRIPT: readonly ScriptLine[] = [
  { speaker: 'agent', text: 'Thanks for calling. This call is recorded with your consent.' },
  { speaker: 'caller', text: 'Sure. My social is 123-45-6789 and I was born 04/05/1980.' },
  { speaker: 'agent', text: 'Thank you. Which card would you like to use?' },
  { speaker: 'caller', text: 'The card number is 4111111111111111.' },
  { speaker: 'agent', text: 'Your payment went through. Goodbye.' },
];

export interface JobStateChange {
  TranscriptionJobName: string;
  TranscriptionJobStatus: 'COMPLETED' | 'FAILED';
}

export interface TranscribeStandInOptions {
  s3: S3Client;
  region: string;
  onStateChange: (detail: JobStateChange) => Promise<unknown>;
  script?: readonly ScriptLine[];
}

export interface TranscribeStandIn {
  endpoint: string;
  /** Resolves once every job started so far has ended and its state change was delivered. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

type Job = Record<string, unknown> & { TranscriptionJobName: string; TranscriptionJobStatus: string };

/** What Transcribe's PII redaction catches in a word (the types we plant; names and the rest are not simulated). */
const PII_WORD = [/^\d{3}-\d{2}-\d{4}$/, /^\d{13,19}$/];

function items(script: readonly ScriptLine[], stereo: boolean): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  let t = 0;
  for (const line of script) {
    const label = stereo ? { channel_label: line.speaker === 'caller' ? 'ch_0' : 'ch_1' } : {};
    const speaker = stereo ? {} : { speaker_label: line.speaker === 'caller' ? 'spk_0' : 'spk_1' };
    for (const token of line.text.split(/\s+/)) {
      const [, word = '', punctuation] = /^(.*?)([.,?!]?)$/.exec(token) ?? [];
      const content = PII_WORD.some((p) => p.test(word)) ? '[PII]' : word;
      out.push({
        type: 'pronunciation',
        start_time: t.toFixed(2),
        end_time: (t + 0.4).toFixed(2),
        alternatives: [{ confidence: '0.99', content }],
        ...label,
        ...speaker,
      });
      t += 0.5;
      if (punctuation)
        out.push({ type: 'punctuation', alternatives: [{ confidence: '0.0', content: punctuation }], ...label, ...speaker });
    }
    t += 0.5;
  }
  return out;
}

/** Transcribe's output document for the script (the shape of its batch output with the same settings). */
function outputDocument(job: Job, script: readonly ScriptLine[], stereo: boolean): unknown {
  const all = items(script, stereo);
  const text = all.map(
    (i) => `${i.type === 'punctuation' ? '' : ' '}${(i.alternatives as Array<{ content: string }>)[0]?.content}`,
  );
  const results: Record<string, unknown> = { transcripts: [{ transcript: text.join('').trim() }], items: all };
  if (stereo) {
    results.channel_labels = {
      number_of_channels: 2,
      channels: ['ch_0', 'ch_1'].map((ch) => ({ channel_label: ch, items: all.filter((i) => i.channel_label === ch) })),
    };
  }
  return { jobName: job.TranscriptionJobName, accountId: '000000000000', status: 'COMPLETED', results };
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

function answer(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(errorType ? { __type: errorType, message: String(body) } : body));
}

const s3Location = (uri: string): { bucket: string; key: string } => {
  const url = new URL(uri);
  return { bucket: url.hostname, key: decodeURIComponent(url.pathname.slice(1)) };
};

export async function startTranscribeStandIn(options: TranscribeStandInOptions): Promise<TranscribeStandIn> {
  const jobs = new Map<string, Job>();
  const running = new Set<Promise<void>>();
  const script = options.script ?? DEFAULT_SCRIPT;

  async function run(job: Job, request: Record<string, unknown>): Promise<void> {
    const media = (request.Media as { MediaFileUri?: string } | undefined)?.MediaFileUri ?? '';
    const bucket = String(request.OutputBucketName);
    const key = String(request.OutputKey ?? `${job.TranscriptionJobName}.json`);
    try {
      const { bucket: mediaBucket, key: mediaKey } = s3Location(media);
      await options.s3.send(new GetObjectCommand({ Bucket: mediaBucket, Key: mediaKey }));
      const stereo = (request.Settings as { ChannelIdentification?: boolean } | undefined)?.ChannelIdentification === true;
      await options.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(outputDocument(job, script, stereo)),
          ContentType: 'application/json',
          ServerSideEncryption: 'AES256',
        }),
      );
      const uri = `https://s3.${options.region}.amazonaws.com/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
      Object.assign(job, { TranscriptionJobStatus: 'COMPLETED', Transcript: { RedactedTranscriptFileUri: uri } });
    } catch {
      Object.assign(job, { TranscriptionJobStatus: 'FAILED', FailureReason: 'The media file could not be read.' });
    }
    job.CompletionTime = Date.now() / 1000;
    await options.onStateChange({
      TranscriptionJobName: job.TranscriptionJobName,
      TranscriptionJobStatus: job.TranscriptionJobStatus as JobStateChange['TranscriptionJobStatus'],
    });
  }

  function start(request: Record<string, unknown>, res: ServerResponse): void {
    const name = String(request.TranscriptionJobName ?? '');
    const redaction = request.ContentRedaction as { RedactionOutput?: string } | undefined;
    const refusal = !/^[0-9a-zA-Z._-]{1,200}$/.test(name)
      ? ['invalid TranscriptionJobName', 'BadRequestException']
      : jobs.has(name)
        ? ['The requested job name already exists.', 'ConflictException']
        : redaction && redaction.RedactionOutput !== 'redacted'
          ? ['this stand-in produces redacted output only', 'BadRequestException']
          : undefined;
    if (refusal) {
      answer(res, 400, refusal[0], refusal[1]);
      return;
    }
    const job: Job = {
      TranscriptionJobName: name,
      TranscriptionJobStatus: 'IN_PROGRESS',
      LanguageCode: request.LanguageCode,
      MediaFormat: request.MediaFormat,
      Media: request.Media,
      ContentRedaction: request.ContentRedaction,
      Settings: request.Settings,
      CreationTime: Date.now() / 1000,
    };
    jobs.set(name, job);
    const done = run(job, request)
      .catch(() => undefined)
      .finally(() => running.delete(done));
    running.add(done);
    answer(res, 200, { TranscriptionJob: job });
  }

  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      let request: Record<string, unknown>;
      try {
        request = JSON.parse(text || '{}') as Record<string, unknown>;
      } catch {
        return answer(res, 400, 'body is not JSON', 'BadRequestException');
      }
      if (target === 'Transcribe.StartTranscriptionJob') return start(request, res);
      if (target === 'Transcribe.GetTranscriptionJob') {
        const job = jobs.get(String(request.TranscriptionJobName));
        return job ? answer(res, 200, { TranscriptionJob: job }) : answer(res, 400, 'job not found', 'NotFoundException');
      }
      return answer(res, 400, `operation not supported by the stand-in: ${target.slice(0, 60)}`, 'BadRequestException');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const settle = async (): Promise<void> => {
    while (running.size > 0) await Promise.all([...running]);
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    settle,
    async stop() {
      await settle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
