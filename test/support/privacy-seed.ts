import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callerHash } from '#shared/consent/caller-hash.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { jurisdictionFor } from '#shared/consent/jurisdictions.js';
import { recordingDeps } from '#shared/recordings/recording-status-core.js';
import { ingestRecordingWebhook } from '#shared/recordings/ingest.js';
import { audioKey } from '#shared/storage/layout.js';
import { S3RecordingStore } from '#shared/recordings/recording-store.js';
import { parseRecordingWebhook } from '#shared/recordings/webhook.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import type { PrivacyDeps } from '#shared/privacy/deps.js';
import type { SignalWireRecordings } from '#shared/signalwire/recordings.js';
import { TEST_SECRETS } from './storage.js';

export interface SeededCall {
  callId: string;
  /** SignalWire recording uuids (also our recording ids). */
  recordings: string[];
}

/**
 * A call as the real functions leave it: consent item with the caller hash, audit events, and
 * per recording the real webhook ingest (metadata object, ledger item, recording_stored event),
 * plus archived audio next to the metadata and under archive/.
 */
export async function seedCall(callerNumber: string, recordingCount = 2): Promise<SeededCall> {
  const callId = randomUUID();
  const consent = new DynamoConsentStore();
  await consent.ensureCall(callId, {
    jurisdiction: jurisdictionFor(callerNumber),
    callerHash: callerHash(callerNumber, TEST_SECRETS.CALLER_HASH_SECRET),
  });
  await consent.appendEvent(callId, { type: 'disclosure_given' });
  await consent.setConsent(callId, 'granted', { category: 'affirmative:yes' });
  await consent.appendEvent(callId, { type: 'consent_granted', detail: { category: 'affirmative:yes' } });
  const recordings: string[] = [];
  const objects = new S3RecordingStore();
  for (let i = 0; i < recordingCount; i += 1) {
    const uuid = randomUUID();
    recordings.push(uuid);
    const body = {
      event_type: 'calling.call.record',
      params: {
        call_id: callId,
        control_id: 'main',
        state: 'finished',
        record: {
          url: `https://example.signalwire.com/api/v1/recordings/${uuid}/download`,
          duration: 12.5,
          size: 4096,
          format: 'mp3',
        },
      },
    };
    await ingestRecordingWebhook(parseRecordingWebhook(body), recordingDeps());
    await objects.putAudio(audioKey(callId, uuid, 'mp3'), new Uint8Array([1, 2, 3]), 'audio/mpeg');
    await objects.putAudio(`archive/${callId}/${uuid}.mp3`, new Uint8Array([4, 5, 6]), 'audio/mpeg');
  }
  return { callId, recordings };
}

/** Privacy deps on the test storage (env set by startTestStorage), optionally with a SignalWire client. */
export function testPrivacyDeps(signalwire?: SignalWireRecordings): PrivacyDeps {
  return {
    data: new AwsCallDataStore(),
    consent: new DynamoConsentStore(),
    ...(signalwire ? { signalwire } : {}),
    callerHashSecret: async () => TEST_SECRETS.CALLER_HASH_SECRET,
    retentionDays: 90,
    gate: dynamoWriteGate(),
  };
}

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/**
 * A local HTTP server standing in for SignalWire's REST API (127.0.0.1, random port): records
 * every request and answers with the status `statusFor(path)` chooses.
 */
export async function startSignalWireStandIn(
  statusFor: (path: string) => number = () => 204,
): Promise<{ url: string; requests: SeenRequest[]; close(): Promise<void> }> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    const status = statusFor(req.url ?? '');
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(status === 204 ? undefined : JSON.stringify({ status }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
