import type { ConsentRecord } from '#shared/consent/types.js';
import type { LegalHoldMarker } from '#shared/storage/protection.js';
import { expiryFrom } from '#shared/storage/layout.js';
import { recordingUuidFromUrl } from '#shared/signalwire/recordings.js';
import type { RecordingEvent } from './webhook.js';

/**
 * The metadata document stored next to each recording (S3 `recordings/<call_id>/<recording_id>.json`).
 *
 * Deliberately holds no caller number or anything else about the caller: the call_id links it
 * to the consent item, which holds only a keyed hash of the number.
 */
export interface ConsentSnapshot {
  state: ConsentRecord['state'];
  jurisdiction: string;
  policyVersion: string;
  /**
   * Set when the segment finished after the caller withdrew: `started_with_consent` when
   * SignalWire confirmed it running while consent was granted (the segment the withdrawal
   * stopped), else `unconfirmed` (an incident, alarmed). Review before use either way.
   */
  finishedAfterWithdrawal?: 'started_with_consent' | 'unconfirmed';
}

export interface RecordingMetadata {
  callId: string;
  recordingId: string;
  /** The id SignalWire's Recordings API knows the recording by, when its callback named it (deletion uses it). */
  signalwireRecordingId?: string;
  controlId: string | null;
  url: string;
  durationSeconds: number | null;
  sizeBytes: number | null;
  format: string | null;
  stereo: boolean;
  /** Channel layout of a stereo recording (record_call direction "both"): caller left, agent right. */
  channels?: { left: 'caller'; right: 'agent' };
  /** Consent as stored when the recording was ingested; 'missing' marks an incident. */
  consent: ConsentSnapshot | 'missing';
  receivedAt: string;
  /** receivedAt + retention days: the data itself says when it goes (the lifecycle rule enforces it). */
  expiresAt: string;
}

/**
 * Consent that covers a recording: the call's consent was granted, or was granted and later
 * withdrawn (a segment that finishes after a withdrawal was recorded while consent stood;
 * stop_recording stops it). Anything else, including no record at all, is 'missing'.
 */
export function consentSnapshot(consent: ConsentRecord | undefined): ConsentSnapshot | 'missing' {
  if (!consent || (consent.state !== 'granted' && consent.state !== 'withdrawn')) return 'missing';
  return { state: consent.state, jurisdiction: consent.jurisdiction, policyVersion: consent.policyVersion };
}

export interface MetadataSettings {
  stereo: boolean;
  retentionDays: number;
}

/** Build the metadata document for a finished recording event. */
export function buildMetadata(
  event: RecordingEvent & { url: string },
  consent: ConsentSnapshot | 'missing',
  receivedAt: Date,
  settings: MetadataSettings,
): RecordingMetadata {
  return {
    callId: event.callId,
    recordingId: event.recordingId,
    ...(event.signalwireRecordingId === undefined ? {} : { signalwireRecordingId: event.signalwireRecordingId }),
    controlId: event.controlId ?? null,
    url: event.url,
    durationSeconds: event.durationSeconds ?? null,
    sizeBytes: event.sizeBytes ?? null,
    format: event.format ?? null,
    stereo: settings.stereo,
    ...(settings.stereo ? { channels: { left: 'caller', right: 'agent' } as const } : {}),
    consent,
    receivedAt: receivedAt.toISOString(),
    expiresAt: expiryFrom(receivedAt, settings.retentionDays).toISOString(),
  };
}

/** A metadata document as stored: under legal hold its expiresAt is null and `legalHold` says since when. */
export type RecordingMetadataDocument = Omit<RecordingMetadata, 'expiresAt'> & {
  expiresAt: string | null;
  legalHold?: { since: string; reason: string };
};

/**
 * A recording's metadata document as it is kept under legal hold: no expiry, and since when and
 * why it is held. Used by legal hold (privacy) and by recording ingest for a call already held.
 */
export function heldMetadataDocument(doc: RecordingMetadataDocument, marker: LegalHoldMarker): RecordingMetadataDocument {
  return { ...doc, expiresAt: null, legalHold: { since: marker.since, reason: marker.reason } };
}

/**
 * The uuid SignalWire knows a stored recording by: the id its callback named, else the one in its
 * recording URL; undefined for anything else (including a document that is not metadata).
 */
export function signalWireUuidOf(doc: unknown): string | undefined {
  const { url, signalwireRecordingId } = (typeof doc === 'object' && doc !== null ? doc : {}) as {
    url?: unknown;
    signalwireRecordingId?: unknown;
  };
  if (typeof signalwireRecordingId === 'string') return signalwireRecordingId.toLowerCase();
  return typeof url === 'string' ? recordingUuidFromUrl(url) : undefined;
}
