import { describe, expect, it } from 'vitest';
import { isAppError } from '#shared/http/errors.js';
import { deriveRecordingId, parseRecordingWebhook } from '#shared/recordings/webhook.js';
import { SAFE_ID } from '#shared/validation/ids.js';
import { recordingStatusBody } from '#test/support/signalwire.js';

const CALL = '6e1d2c3b-4a59-4d6e-8f70-8192a3b4c5d6';
const REC = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const URL_ = `https://example.signalwire.com/api/v1/recordings/${REC}/download`;

function nested(params: Record<string, unknown>): Record<string, unknown> {
  return { event_type: 'calling.call.record', event_channel: 'swml:x', timestamp: 1640000000.123, params };
}

function rejection(body: unknown): { status: number; code: string; message: string } {
  try {
    parseRecordingWebhook(body);
  } catch (error) {
    if (isAppError(error)) return { status: error.statusCode, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('parseRecordingWebhook: SignalWire nested payload', () => {
  it('normalizes a finished callback with the record object', () => {
    const event = parseRecordingWebhook(
      nested({
        call_id: CALL,
        node_id: 'n',
        control_id: 'main',
        state: 'finished',
        record: { url: URL_, duration: 15.5, size: 248320, format: 'mp3' },
      }),
    );
    expect(event).toEqual({
      callId: CALL,
      controlId: 'main',
      state: 'finished',
      url: URL_,
      durationSeconds: 15.5,
      sizeBytes: 248320,
      format: 'mp3',
      recordingId: REC,
      shape: 'signalwire',
    });
  });

  it('accepts url/duration/size flat in params (some senders do that)', () => {
    const event = parseRecordingWebhook(
      nested({ call_id: CALL, control_id: 'main', state: 'finished', url: URL_, duration: '7', size: '1024' }),
    );
    expect(event).toMatchObject({ url: URL_, durationSeconds: 7, sizeBytes: 1024, recordingId: REC, shape: 'signalwire' });
  });

  it.each(['recording', 'paused', 'finished', 'no_input', 'error'] as const)('keeps state %s', (state) => {
    const record = state === 'finished' ? { record: { url: URL_ } } : {};
    expect(parseRecordingWebhook(nested({ call_id: CALL, control_id: 'main', state, ...record })).state).toBe(state);
  });

  it('ignores fields it does not need, such as caller numbers, and never carries them', () => {
    const event = parseRecordingWebhook(nested({ call_id: CALL, state: 'recording', from: '+15551234567', to: '+15557654321' }));
    expect(JSON.stringify(event)).not.toContain('555');
  });

  it('rejects another event type', () => {
    expect(rejection({ event_type: 'calling.call.state', params: { call_id: CALL, state: 'finished' } }).status).toBe(400);
  });
});

describe('parseRecordingWebhook: SignalWire current payload (details flat in params, record = {audio})', () => {
  const SW_REC = '0f1e2d3c-4b5a-4697-8877-665544332211';
  const PLAIN_URL = 'https://example.signalwire.com/audio/segment.mp3';
  const AUDIO = { audio: { format: 'wav', direction: 'both', stereo: true } };

  function current(params: Record<string, unknown>): Record<string, unknown> {
    return nested({ call_id: CALL, control_id: 'main', recording_id: SW_REC, record: AUDIO, ...params });
  }

  it('normalizes a finished callback: recording_id is the id, format from record.audio, times carried', () => {
    const event = parseRecordingWebhook(
      current({
        state: 'finished',
        url: PLAIN_URL,
        duration: 15.5,
        size: 248320,
        start_time: 1767225600.25,
        end_time: '2026-01-01T00:00:16Z',
      }),
    );
    expect(event).toEqual({
      callId: CALL,
      controlId: 'main',
      state: 'finished',
      url: PLAIN_URL,
      durationSeconds: 15.5,
      sizeBytes: 248320,
      format: 'wav',
      startTime: 1767225600.25,
      endTime: '2026-01-01T00:00:16Z',
      recordingId: SW_REC,
      signalwireRecordingId: SW_REC,
      shape: 'signalwire',
    });
  });

  it.each(['recording', 'paused', 'finished', 'no_input', 'error'] as const)(
    'keeps recording_id (as the recording id) from a %s callback',
    (state) => {
      const url = state === 'error' ? {} : { url: PLAIN_URL };
      const event = parseRecordingWebhook(current({ state, ...url }));
      expect(event).toMatchObject({ state, recordingId: SW_REC, signalwireRecordingId: SW_REC, format: 'wav' });
    },
  );

  it('prefers recording_id over the uuid in the url, and lower-cases it', () => {
    const event = parseRecordingWebhook(current({ state: 'finished', url: URL_, recording_id: SW_REC.toUpperCase() }));
    expect(event.recordingId).toBe(SW_REC);
    expect(event.signalwireRecordingId).toBe(SW_REC);
  });

  it('without recording_id falls back to the derived id and claims no SignalWire id', () => {
    const { recording_id: _, ...params } = (current({ state: 'finished', url: PLAIN_URL }) as { params: Record<string, unknown> })
      .params;
    const event = parseRecordingWebhook(nested(params));
    expect(event.recordingId).toBe(deriveRecordingId(CALL, 'main', PLAIN_URL));
    expect(event).not.toHaveProperty('signalwireRecordingId');
  });

  it('gives replays of one recording the same id in the current and the older shape', () => {
    const older = parseRecordingWebhook(nested({ call_id: CALL, control_id: 'main', state: 'finished', record: { url: URL_ } }));
    const now = parseRecordingWebhook(current({ state: 'finished', url: URL_, recording_id: REC }));
    expect(now.recordingId).toBe(older.recordingId);
  });

  it.each(['mp3', 'wav', 'mp4'] as const)('takes format %s from record.audio.format', (format) => {
    const event = parseRecordingWebhook(current({ state: 'finished', url: PLAIN_URL, record: { audio: { format } } }));
    expect(event.format).toBe(format);
  });

  it('drops start/end times it cannot read rather than losing the recording', () => {
    const event = parseRecordingWebhook(
      current({ state: 'finished', url: PLAIN_URL, start_time: { at: 1 }, end_time: 'tomorrow, probably' }),
    );
    expect(event.state).toBe('finished');
    expect(event).not.toHaveProperty('startTime');
    expect(event).not.toHaveProperty('endTime');
  });

  it('reads what the shared builders send, in every state and both SignalWire shapes', () => {
    for (const state of ['recording', 'paused', 'finished', 'no_input', 'error'] as const) {
      const event = parseRecordingWebhook(recordingStatusBody(CALL, { state, recordingId: SW_REC, format: 'mp4' }));
      expect(event).toMatchObject({ callId: CALL, state, recordingId: SW_REC, signalwireRecordingId: SW_REC, format: 'mp4' });
      const older = parseRecordingWebhook(recordingStatusBody(CALL, { state, recordingId: SW_REC, shape: 'nested' }));
      expect(older).not.toHaveProperty('signalwireRecordingId');
    }
  });

  it.each([
    ['a number as recording_id', { recording_id: 4242424242424242 }, 'invalid_payload'],
    ['an object as recording_id', { recording_id: { $ne: null } }, 'invalid_payload'],
    ['null as recording_id', { recording_id: null }, 'invalid_payload'],
    ['a phone number as recording_id', { recording_id: '+15125550199' }, 'invalid_id'],
    ['a path as recording_id', { recording_id: '../../etc/passwd' }, 'invalid_id'],
    ['an SSN as recording_id', { recording_id: '123-45-6789' }, 'invalid_id'],
    ['a non-uuid safe id as recording_id', { recording_id: 'rec-secretvalue' }, 'invalid_id'],
    ['a uuid with trailing junk', { recording_id: `${REC}x` }, 'invalid_id'],
    ['a format outside the schema', { record: { audio: { format: 'ogg-secretvalue' } } }, 'invalid_payload'],
    ['an upper-case format', { record: { audio: { format: 'MP3' } } }, 'invalid_payload'],
    ['a number as format', { record: { audio: { format: 4242 } } }, 'invalid_payload'],
    ['audio that is not an object', { record: { audio: 'mp3' } }, 'invalid_payload'],
  ])('%s is a 400 that does not echo the value', (_name, params, code) => {
    const r = rejection(current({ state: 'finished', url: PLAIN_URL, ...params }));
    expect(r).toMatchObject({ status: 400, code });
    for (const echoed of ['4242', 'secretvalue', 'passwd', '5550199', '6789', '$ne', 'ogg', 'MP3']) {
      expect(r.message).not.toContain(echoed);
    }
  });
});

describe('parseRecordingWebhook: simplified flat payload', () => {
  it('maps status "completed" to finished', () => {
    const event = parseRecordingWebhook({ call_id: CALL, recording_url: URL_, duration: 12, status: 'completed' });
    expect(event).toEqual({
      callId: CALL,
      state: 'finished',
      url: URL_,
      durationSeconds: 12,
      recordingId: REC,
      shape: 'simplified',
    });
  });

  it.each([
    ['in-progress', 'recording'],
    ['paused', 'paused'],
    ['no-input', 'no_input'],
    ['failed', 'error'],
  ] as const)('maps status %s to %s', (status, state) => {
    expect(parseRecordingWebhook({ call_id: CALL, status }).state).toBe(state);
  });

  it('requires a status', () => {
    expect(rejection({ call_id: CALL, recording_url: URL_ })).toMatchObject({ status: 400, code: 'invalid_payload' });
  });
});

describe('parseRecordingWebhook: hostile or broken input is a 400 that echoes nothing', () => {
  it.each([
    ['path traversal call_id', { call_id: '../../etc/passwd', status: 'paused' }],
    ['slash in call_id', { call_id: 'a/b', status: 'paused' }],
    ['newline in call_id', { call_id: 'abc\nx', status: 'paused' }],
    ['overlong call_id', { call_id: 'a'.repeat(129), status: 'paused' }],
    ['empty call_id', { call_id: '', status: 'paused' }],
    ['SSN as call_id', { call_id: '123-45-6789', status: 'paused' }],
    ['phone number as call_id', { call_id: '15125550199', status: 'paused' }],
    ['date as control_id', nested({ call_id: CALL, control_id: '1980-02-03', state: 'paused' })],
    ['hostile control_id', nested({ call_id: CALL, control_id: '#sk', state: 'paused' })],
    ['space in control_id', nested({ call_id: CALL, control_id: 'main x', state: 'paused' })],
  ])('%s', (_name, body) => {
    const r = rejection(body);
    expect(r.status).toBe(400);
    expect(r.message).not.toContain('passwd');
    expect(r.message).not.toContain('#sk');
    expect(r.message).not.toMatch(/\d{4}/);
  });

  it.each([
    ['plain http to a remote host', 'http://evil.example.com/recordings/x.mp3'],
    ['a file url', 'file:///etc/passwd'],
    ['credentials in the url', 'https://user:secret@example.com/r.mp3'],
    ['not a url', 'not a url'],
  ])('rejects a recording url that is %s', (_name, url) => {
    const r = rejection({ call_id: CALL, recording_url: url, status: 'completed' });
    expect(r).toMatchObject({ status: 400, code: 'invalid_url' });
    expect(r.message).not.toContain('secret');
  });

  it.each([
    ['another https host', 'https://evil.example.com/api/v1/recordings/x/download'],
    ['a look-alike host', 'https://signalwire.com.evil.example/r.mp3'],
    ['a host that only ends in the name', 'https://notsignalwire.com/r.mp3'],
    ['an internal address', 'https://169.254.169.254/latest/meta-data'],
  ])('rejects a recording url on %s', (_name, url) => {
    expect(rejection({ call_id: CALL, recording_url: url, status: 'completed' })).toMatchObject({
      status: 400,
      code: 'invalid_url',
    });
  });

  it('stores origin and path only: a query string or fragment (signed links, planted data) is dropped', () => {
    const url = `https://example.signalwire.com/api/v1/recordings/${REC}/download?ssn=078-05-1120&card=4111111111111111#dob=1984-02-29`;
    const event = parseRecordingWebhook({ call_id: CALL, recording_url: url, status: 'completed' });
    expect(event.url).toBe(`https://example.signalwire.com/api/v1/recordings/${REC}/download`);
    expect(event.recordingId).toBe(REC);
  });

  it('takes the allowed hosts it is given (RECORDING_HOSTS)', () => {
    const body = { call_id: CALL, recording_url: 'https://media.example.net/r.mp3', status: 'completed' };
    expect(rejection(body).code).toBe('invalid_url');
    expect(parseRecordingWebhook(body, ['media.example.net']).url).toBe('https://media.example.net/r.mp3');
  });

  it('allows http only for localhost (the local stack)', () => {
    expect(parseRecordingWebhook({ call_id: CALL, recording_url: 'http://127.0.0.1:8080/a.mp3', status: 'completed' }).url).toBe(
      'http://127.0.0.1:8080/a.mp3',
    );
    expect(parseRecordingWebhook({ call_id: CALL, recording_url: 'http://localhost/a.mp3', status: 'completed' }).state).toBe(
      'finished',
    );
  });

  it('rejects a finished callback without a url', () => {
    expect(rejection(nested({ call_id: CALL, state: 'finished' }))).toMatchObject({ status: 400, code: 'missing_url' });
  });

  it('rejects unknown states, negative durations and non-objects', () => {
    expect(rejection({ call_id: CALL, status: 'exploded' }).code).toBe('invalid_state');
    // The state is not echoed: it may carry personal data.
    expect(rejection({ call_id: CALL, status: '078-05-1120' })).toMatchObject({
      code: 'invalid_state',
      message: 'unknown recording state',
    });
    // Names inherited by every object are not states.
    for (const status of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(rejection({ call_id: CALL, recording_url: URL_, status }).code).toBe('invalid_state');
    }
    expect(rejection({ call_id: CALL, recording_url: URL_, duration: -1, status: 'completed' }).status).toBe(400);
    expect(rejection('finished').status).toBe(400);
    expect(rejection(null).status).toBe(400);
    expect(rejection(nested({ call_id: 42, state: 'finished' })).status).toBe(400);
  });
});

describe('parseRecordingWebhook: poison values are a 400 (a retry cannot fix them), never stored', () => {
  const finishedWith = (extra: Record<string, unknown>) =>
    nested({ call_id: CALL, control_id: 'main', state: 'finished', record: { url: URL_, format: 'mp3', ...extra } });

  it.each([
    ['duration 1e200', { duration: 1e200 }],
    ['a 200-digit duration', { duration: '9'.repeat(200) }],
    ['a duration over a week', { duration: 7 * 86_400 + 1 }],
    ['a size of 1e300 bytes', { size: 1e300 }],
    ['a 30-digit size string', { size: '1'.repeat(30) }],
    ['format of ten digits', { format: '1234567890' }],
    ['format ogg', { format: 'ogg' }],
    ['format with a path', { format: 'mp3/../x' }],
  ])('%s', (_name, extra) => {
    const r = rejection(finishedWith(extra));
    expect(r.status).toBe(400);
    expect(r.message).not.toMatch(/9{10}|1{10}|1e\+?\d{3}|ogg|\.\./);
  });

  it('takes the largest real values and any case of a real format', () => {
    const event = parseRecordingWebhook(finishedWith({ duration: 7 * 86_400, size: 10 * 1024 ** 3, format: 'WAV' }));
    expect(event).toMatchObject({ durationSeconds: 7 * 86_400, sizeBytes: 10 * 1024 ** 3, format: 'wav' });
  });

  it('drops a start or end time that is no time instead of refusing the recording', () => {
    const body = {
      event_type: 'calling.call.record',
      params: { call_id: CALL, state: 'finished', url: URL_, recording_id: REC, start_time: 1e200, end_time: 1_700_000_000_000 },
    };
    const event = parseRecordingWebhook(body);
    expect(event.startTime).toBeUndefined();
    expect(event.endTime).toBe(1_700_000_000_000);
  });
});

describe('recording ids are deterministic', () => {
  it('uses the SignalWire uuid from the recording url, lower-cased', () => {
    expect(deriveRecordingId(CALL, 'main', URL_.toUpperCase().replace('HTTPS', 'https'))).toBe(REC);
  });

  it('derives the same UUID-shaped id from (call_id, control_id, url) when the url has no uuid', () => {
    const url = 'https://files.example.com/audio/segment-2.mp3';
    const a = deriveRecordingId(CALL, 'main', url);
    expect(a).toBe(deriveRecordingId(CALL, 'main', url));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(SAFE_ID.test(a)).toBe(true);
    expect(deriveRecordingId(CALL, 'other', url)).not.toBe(a);
    expect(deriveRecordingId(CALL, 'main', 'https://files.example.com/audio/segment-3.mp3')).not.toBe(a);
    expect(deriveRecordingId('another-call', 'main', url)).not.toBe(a);
  });

  it('gives replays of the same callback, in either shape, the same id', () => {
    const flat = parseRecordingWebhook({ call_id: CALL, recording_url: URL_, status: 'completed' });
    const real = parseRecordingWebhook(nested({ call_id: CALL, control_id: 'main', state: 'finished', record: { url: URL_ } }));
    expect(flat.recordingId).toBe(real.recordingId);
  });
});
