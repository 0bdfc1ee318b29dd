import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { formatTimeline } from '#shared/privacy/audit.js';
import { heldKey, releasedKey } from '#shared/storage/layout.js';
import { parseCaller, parsePrivacyRequest } from '#shared/privacy/privacy-core.js';
import { recordingUuidFromUrl, SignalWireRecordings, signalWireRecordingsFromConfig } from '#shared/signalwire/recordings.js';
import { SignalWireDeleteError } from '#shared/signalwire/recordings.js';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('legal-hold key mapping', () => {
  it.each([
    [`recordings/c1/${UUID}.json`, `legal-hold/c1/recordings/${UUID}.json`],
    [`archive/c1/${UUID}.mp3`, `legal-hold/c1/archive/${UUID}.mp3`],
    ['recordings/c1/nested/x.bin', 'legal-hold/c1/recordings/nested/x.bin'],
  ])('%s ⇄ %s', (original, held) => {
    expect(heldKey('c1', original)).toBe(held);
    expect(releasedKey('c1', held)).toBe(original);
  });

  it('leaves keys of other calls and unknown origins alone', () => {
    expect(heldKey('c1', 'recordings/c10/x.json')).toBeUndefined();
    expect(releasedKey('c1', 'legal-hold/c1/elsewhere/x.json')).toBeUndefined();
    expect(releasedKey('c1', 'legal-hold/c1/x.json')).toBeUndefined();
  });
});

describe('SignalWire recording uuid from its URL', () => {
  it.each([
    `https://example.signalwire.com/api/v1/recordings/${UUID}/download`,
    `https://example.signalwire.com/api/relay/rest/recordings/${UUID.toUpperCase()}`,
    `https://files.signalwire.com/recordings/${UUID}.mp3`,
  ])('finds it in %s', (url) => {
    expect(recordingUuidFromUrl(url)).toBe(UUID);
  });

  it('finds none in a URL that is not a SignalWire recording', () => {
    expect(recordingUuidFromUrl('https://example.com/audio/123.mp3')).toBeUndefined();
  });
});

describe('SignalWire client', () => {
  it('is only built when project id, token and space are all configured', () => {
    const full = { SIGNALWIRE_PROJECT_ID: 'p', SIGNALWIRE_API_TOKEN: 't', SIGNALWIRE_SPACE_URL: 'https://x.signalwire.com' };
    expect(signalWireRecordingsFromConfig(full)).toBeInstanceOf(SignalWireRecordings);
    expect(signalWireRecordingsFromConfig({ ...full, SIGNALWIRE_API_TOKEN: undefined })).toBeUndefined();
  });

  it('reports an unreachable SignalWire as a retryable delete failure', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = new SignalWireRecordings({ spaceUrl: `http://127.0.0.1:${port}`, projectId: 'p', apiToken: 't' });

    const attempt = client.deleteRecording(UUID);

    await expect(attempt).rejects.toBeInstanceOf(SignalWireDeleteError);
    await expect(attempt).rejects.toMatchObject({ status: 'network' });
  });

  it('refuses to put anything but a uuid into the path', async () => {
    const client = new SignalWireRecordings({ spaceUrl: 'https://x.signalwire.com', projectId: 'p', apiToken: 't' });
    await expect(client.deleteRecording('../../calls')).rejects.toBeInstanceOf(RangeError);
  });
});

describe('operator request parsing', () => {
  it.each([
    ['+1 (415) 555-0100', { number: '+1 (415) 555-0100' }],
    ['a'.repeat(64), { hash: 'a'.repeat(64) }],
    ['sip:alice@example.com', { number: 'sip:alice@example.com' }],
    ['alice', undefined],
    ['12', undefined],
  ])('caller %s → %j', (value, expected) => {
    expect(parseCaller(value)).toEqual(expected);
  });

  it('never puts the caller value into a validation message', () => {
    const parsed = parsePrivacyRequest({ action: 'audit', callId: 'c1', caller: '+14155550100' });
    expect('error' in parsed && JSON.stringify(parsed.error)).not.toContain('4155550100');
    expect('error' in parsed).toBe(true);
  });
});

describe('audit timeline text', () => {
  it('prints one aligned line per event with its detail', () => {
    const text = formatTimeline('c1', [
      { type: 'disclosure_given', at: '2025-01-01T00:00:00.000Z' },
      { type: 'erased', at: '2025-01-02T00:00:00.000Z', detail: { objects: 3, reason: 'data-subject-request' } },
    ]);
    expect(text.split('\n')).toEqual([
      '2025-01-01T00:00:00.000Z  disclosure_given',
      '2025-01-02T00:00:00.000Z  erased            objects=3 reason=data-subject-request',
    ]);
  });
});
