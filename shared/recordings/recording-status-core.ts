import { loadSecrets, loadSignalWireProject, type SignalWireProject } from '#shared/aws/secrets.js';
import { recordImpliedConsentFromQuery } from '#shared/consent/implied-consent.js';
import { RetryableError } from '#shared/errors.js';
import { CallErasedError, type ConsentStore } from '#shared/consent/types.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { getConfig, type Config } from '#shared/config.js';
import type { HttpEvent } from '#shared/http/middleware.js';
import { json, type HttpResult } from '#shared/http/response.js';
import { logger } from '#shared/observability/logger.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import { signalWireRecordingsFromConfig } from '#shared/signalwire/recordings.js';
import { archiveSettings } from './audio-archive.js';
import { ingestRecordingWebhook, type IngestDeps } from './ingest.js';
import { DynamoIngestLedger } from './ingest-ledger-store.js';
import { S3RecordingStore } from './recording-store.js';
import { FanOutQueue, InProcessJobQueue, type RecordingJobQueue } from './job-queue.js';
import { SqsJobQueue } from './sqs-job-queue.js';
import { parseRecordingWebhook } from './webhook.js';
import { onInstanceReset } from '#shared/instance.js';

let productionDeps: IngestDeps | undefined;
const SIGNALWIRE_DELETE_TIMEOUT_MS = 5_000;

function transcriptionQueue(queueUrl: string | undefined): RecordingJobQueue {
  if (queueUrl) return new SqsJobQueue(queueUrl);
  // Local stack and tests: no SQS emulator exists here. In the cloud QUEUE_URL is always set.
  logger.warn('QUEUE_URL not set: transcription jobs stay in process memory');
  return new InProcessJobQueue();
}

/**
 * Where a stored recording's job goes. The audio archive rides on the same `queued` ingest step
 * rather than a step of its own: the job is the same message, so the exactly-once ledger stays
 * as it is and {@link FanOutQueue} sends it to both queues before the step is marked. It is sent
 * to the archive queue only when ARCHIVE_QUEUE_URL is set (the stack sets it; the local stack
 * has no SQS and leaves archiving off) and SignalWire project credentials are configured
 * (without them the worker could not download anything).
 */
function jobQueue(config: Config, project: SignalWireProject): RecordingJobQueue {
  const transcription = transcriptionQueue(config.QUEUE_URL);
  if (!config.ARCHIVE_QUEUE_URL || !archiveSettings(project)) return transcription;
  return new FanOutQueue([transcription, new SqsJobQueue(config.ARCHIVE_QUEUE_URL)]);
}

/**
 * Production dependencies, built once per instance (module scope, reused while warm).
 * `project`: SignalWire project settings; the webhook passes the loaded ones (env overlaid by
 * the SignalWire secret), callers without a secret (tests, local tools) get the env values.
 */
export function recordingDeps(project: SignalWireProject = getConfig()): IngestDeps {
  if (!productionDeps) {
    const config = getConfig();
    const consent: ConsentStore = new DynamoConsentStore();
    // Short: it runs inside a webhook SignalWire is waiting on; a timeout is answered 503 and retried.
    const signalwire = signalWireRecordingsFromConfig(project, { timeoutMs: SIGNALWIRE_DELETE_TIMEOUT_MS });
    productionDeps = {
      consent,
      metadata: new S3RecordingStore(),
      ledger: new DynamoIngestLedger(),
      queue: jobQueue(config, project),
      callData: new AwsCallDataStore(),
      gate: dynamoWriteGate(),
      ...(signalwire ? { signalwire } : {}),
      settings: { stereo: config.RECORDING_STEREO, retentionDays: config.RETENTION_DAYS },
    };
  }
  return productionDeps;
}

onInstanceReset(() => {
  productionDeps = undefined;
});

/** Tests run the real handler on in-memory stores; {@link resetInstance} forgets them. */
export function useRecordingDepsForTests(deps: IngestDeps | undefined): void {
  productionDeps = deps;
}

/**
 * POST /recording-status: SignalWire's record_call status callback (either payload shape).
 * 200 `{status, recording_id}` once handled: `stored`, `duplicate`, `acknowledged`, `audited`,
 * or `discarded_erased` for a call that was erased (nothing stored); 400 for a malformed
 * callback (SignalWire should not retry it); 503 on storage faults (SignalWire retries).
 */
export async function recordingStatusCore(event: HttpEvent): Promise<HttpResult> {
  const recording = parseRecordingWebhook(event.jsonBody, getConfig().RECORDING_HOSTS);
  const config = getConfig();
  const deps = recordingDeps(await loadSignalWireProject(config));
  if (event.queryStringParameters?.basis && (recording.state === 'finished' || recording.state === 'recording')) {
    // A recording the SWML document started under a one-party rule: its consent may exist only as
    // this signed basis (no SWAIG call ever happened). Stored before ingest takes its snapshot
    // (finished) or judges the recording against consent (recording: else a false incident),
    // and never for an erased call (the consent store's write gate refuses it; ingest then
    // discards the callback).
    const { tokenSecret } = await loadSecrets(config);
    await recordImpliedConsentFromQuery(deps.consent, recording.callId, event.queryStringParameters, tokenSecret).catch(
      (error: unknown) => {
        if (error instanceof CallErasedError) return;
        throw new RetryableError('consent could not be recorded', { cause: error });
      },
    );
  }
  const segment = event.queryStringParameters?.segment;
  const { outcome } = await ingestRecordingWebhook(recording, deps, {
    ...(segment && /^\d{1,9}$/.test(segment) ? { segment: Number(segment) } : {}),
  });
  return json(200, { status: outcome, recording_id: recording.recordingId });
}
