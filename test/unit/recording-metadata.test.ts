import { describe, expect, it } from 'vitest';
import type { ConsentRecord } from '#shared/consent/types.js';
import { audioKey, metadataKey } from '#shared/storage/layout.js';
import { buildMetadata, consentSnapshot } from '#shared/recordings/metadata.js';
import { parseRecordingWebhook } from '#shared/recordings/webhook.js';

const CALL = '6e1d2c3b-4a59-4d6e-8f70-8192a3b4c5d6';
const REC = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const URL_ = `https://example.signalwire.com/api/v1/recordings/${REC}/download`;

function consent(state: ConsentRecord['state']): ConsentRecord {
  return {
    callId: CALL,
    state,
    jurisdiction: 'US-CA',
    rule: 'all-party',
    policyVersion: 'consent-policy/2025-1',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 2,
    callerHash: 'hash-of-the-number',
    expiresAt: 1,
  };
}

const finished = () => {
  const e = parseRecordingWebhook({
    event_type: 'calling.call.record',
    params: {
      call_id: CALL,
      control_id: 'main',
      state: 'finished',
      from: '+15551234567',
      record: { url: URL_, duration: 15.5, size: 248320, format: 'mp3' },
    },
  });
  if (!e.url) throw new Error('parser lost the url');
  return { ...e, url: e.url };
};

describe('recording metadata document', () => {
  it('holds every field the issue lists, with expiry = receivedAt + retention days', () => {
    // Prepare
    const receivedAt = new Date('2026-03-01T10:00:00.000Z');
    // Act
    const doc = buildMetadata(finished(), consentSnapshot(consent('granted')), receivedAt, { stereo: true, retentionDays: 90 });
    // Assess
    expect(doc).toEqual({
      callId: CALL,
      recordingId: REC,
      controlId: 'main',
      url: URL_,
      durationSeconds: 15.5,
      sizeBytes: 248320,
      format: 'mp3',
      stereo: true,
      channels: { left: 'caller', right: 'agent' },
      consent: { state: 'granted', jurisdiction: 'US-CA', policyVersion: 'consent-policy/2025-1' },
      receivedAt: '2026-03-01T10:00:00.000Z',
      expiresAt: '2026-05-30T10:00:00.000Z',
    });
  });

  it('omits the channel layout for mono recordings and honours other retention periods', () => {
    const doc = buildMetadata(finished(), 'missing', new Date('2026-03-01T00:00:00.000Z'), { stereo: false, retentionDays: 7 });
    expect(doc.stereo).toBe(false);
    expect(doc).not.toHaveProperty('channels');
    expect(doc.expiresAt).toBe('2026-03-08T00:00:00.000Z');
  });

  it('never carries the caller number or the caller hash', () => {
    const doc = buildMetadata(finished(), consentSnapshot(consent('granted')), new Date(), { stereo: true, retentionDays: 90 });
    const text = JSON.stringify(doc);
    expect(text).not.toContain('5551234567');
    expect(text).not.toContain('hash-of-the-number');
  });

  it.each([
    ['no consent record', undefined, 'missing'],
    ['pending', consent('pending'), 'missing'],
    ['declined', consent('declined'), 'missing'],
    ['granted', consent('granted'), 'granted'],
    // stop_recording ends the segment as it withdraws: that segment was recorded under consent.
    ['withdrawn after a grant', consent('withdrawn'), 'withdrawn'],
  ] as const)('consent snapshot for %s', (_name, record, expected) => {
    const snap = consentSnapshot(record);
    expect(snap === 'missing' ? snap : snap.state).toBe(expected);
  });

  it('keys objects under recordings/<call_id>/<recording_id>, audio next to metadata', () => {
    expect(metadataKey(CALL, REC)).toBe(`recordings/${CALL}/${REC}.json`);
    expect(audioKey(CALL, REC, 'mp3')).toBe(`recordings/${CALL}/${REC}.mp3`);
  });
});
