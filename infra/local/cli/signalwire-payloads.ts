import { randomUUID } from 'node:crypto';

/**
 * Request bodies shaped exactly as SignalWire sends them (docs/protocol.md), so the CLI and
 * the e2e tests drive the handlers the way the platform does.
 */

/** Ids that stay the same across one simulated call. */
export interface SimulatedCall {
  callId: string;
  nodeId: string;
  projectId: string;
  spaceId: string;
  aiSessionId: string;
  from: string;
  to: string;
}

export function simulatedCall(overrides: Partial<SimulatedCall> = {}): SimulatedCall {
  return {
    callId: randomUUID(),
    nodeId: randomUUID(),
    projectId: randomUUID(),
    spaceId: randomUUID(),
    aiSessionId: randomUUID(),
    from: '+15551230000',
    to: '+15559870000',
    ...overrides,
  };
}

/** §1: what SignalWire POSTs to the SWML URL when a call arrives. */
export function swmlRequestBody(call: SimulatedCall): Record<string, unknown> {
  return {
    call: {
      call_id: call.callId,
      node_id: call.nodeId,
      segment_id: randomUUID(),
      call_state: 'created',
      direction: 'inbound',
      type: 'phone',
      from: call.from,
      to: call.to,
      from_number: call.from,
      to_number: call.to,
      headers: [],
      project_id: call.projectId,
      space_id: call.spaceId,
    },
    vars: {},
    envs: {},
    params: {},
  };
}

export interface SwaigCallInput {
  functionName: string;
  args: Record<string, unknown>;
  /** The function's `parameters` from the SWML (SignalWire echoes it as argument_desc). */
  parameters?: unknown;
  description?: string;
  globalData?: Record<string, unknown>;
}

/** §2: a SWAIG function call. Arguments arrive as `argument.parsed[0]` (and as raw JSON text). */
export function swaigRequestBody(call: SimulatedCall, input: SwaigCallInput): Record<string, unknown> {
  return {
    app_name: 'recording-agent',
    function: input.functionName,
    description: input.description ?? '',
    argument: { parsed: [input.args], raw: JSON.stringify(input.args), substituted: '' },
    argument_desc: input.parameters ?? { type: 'object', properties: {} },
    call_id: call.callId,
    ai_session_id: call.aiSessionId,
    caller_id_name: 'Local Caller',
    caller_id_num: call.from,
    channel_active: true,
    channel_offhook: true,
    channel_ready: true,
    content_type: 'text/swaig',
    content_disposition: 'SWAIG Function',
    conversation_type: 'voice',
    version: '2.0',
    meta_data_token: input.functionName,
    meta_data: {},
    global_data: input.globalData ?? {},
    project_id: call.projectId,
    space_id: call.spaceId,
  };
}

/** §2: SignalWire asking for function definitions on the SWAIG URL. */
export function signatureRequestBody(call: SimulatedCall, functions?: string[]): Record<string, unknown> {
  return {
    action: 'get_signature',
    ...(functions ? { functions } : {}),
    call_id: call.callId,
    project_id: call.projectId,
    space_id: call.spaceId,
    content_type: 'text/swaig',
    version: '2.0',
  };
}

/** A Luhn-valid test card that the built-in test gateway approves. */
export const TEST_CARD = { number: '4242424242424242', cvv: '123', postalCode: '12345' } as const;

/** §4: what SignalWire's `pay` verb POSTs to the payment connector (full PAN and CVV: test data only). */
export function paymentConnectorBody(
  input: { amount: string; currency?: string; description?: string; parameters?: Record<string, string> },
  card: { number: string; cvv: string; postalCode: string } = TEST_CARD,
): Record<string, unknown> {
  return {
    transaction_id: randomUUID(),
    method: 'credit-card',
    cardnumber: card.number,
    cvv: card.cvv,
    expiry_month: '12',
    expiry_year: String((new Date().getUTCFullYear() + 3) % 100).padStart(2, '0'),
    postal_code: card.postalCode,
    chargeAmount: input.amount,
    currency_code: input.currency ?? 'usd',
    token_type: 'reusable',
    description: input.description ?? '',
    parameters: input.parameters ?? {},
  };
}

export interface RecordingEventInput {
  controlId?: string;
  state?: 'recording' | 'paused' | 'finished' | 'no_input' | 'error';
  recordingId?: string;
  durationSeconds?: number;
  sizeBytes?: number;
  format?: 'mp3' | 'wav' | 'mp4';
}

/** §3, older shape: the nested `calling.call.record` status callback; only `finished` carries the file. */
export function recordingStatusBody(call: SimulatedCall, input: RecordingEventInput = {}): Record<string, unknown> {
  const state = input.state ?? 'finished';
  const recordingId = input.recordingId ?? randomUUID();
  const params: Record<string, unknown> = {
    call_id: call.callId,
    node_id: call.nodeId,
    control_id: input.controlId ?? 'main',
    state,
  };
  if (state === 'finished') {
    params.record = {
      url: `https://example.signalwire.com/api/v1/recordings/${recordingId}/download`,
      duration: input.durationSeconds ?? 15.5,
      size: input.sizeBytes ?? 248_320,
      format: input.format ?? 'mp3',
    };
  }
  return recordCallback(call, params);
}

/** The `calling.call.record` envelope around a callback's params (docs/protocol.md §3). */
function recordCallback(call: SimulatedCall, params: Record<string, unknown>): Record<string, unknown> {
  return {
    event_type: 'calling.call.record',
    event_channel: `swml:${call.nodeId}`,
    timestamp: Date.now() / 1000,
    project_id: call.projectId,
    space_id: call.spaceId,
    params,
  };
}

/**
 * §3, current shape: `recording_id` in every state, `url` (and `start_time`) from `recording` on,
 * `duration`/`size`/`end_time` once `finished` or `no_input`, all flat in `params`; `params.record`
 * is only the recording configuration `{audio: {format, direction, stereo}}`.
 */
export function currentRecordingStatusBody(call: SimulatedCall, input: RecordingEventInput = {}): Record<string, unknown> {
  const state = input.state ?? 'finished';
  const recordingId = input.recordingId ?? randomUUID();
  const ended = state === 'finished' || state === 'no_input';
  const startTime = Math.floor(Date.now() / 1000) - 20;
  const params: Record<string, unknown> = {
    call_id: call.callId,
    node_id: call.nodeId,
    control_id: input.controlId ?? 'main',
    state,
    recording_id: recordingId,
    ...(state === 'error' ? {} : { url: `https://example.signalwire.com/api/v1/recordings/${recordingId}/download` }),
    ...(state === 'error' ? {} : { start_time: startTime }),
    ...(ended
      ? {
          duration: input.durationSeconds ?? (state === 'finished' ? 15.5 : 0),
          size: input.sizeBytes ?? (state === 'finished' ? 248_320 : 0),
          end_time: startTime + 16,
        }
      : {}),
    record: { audio: { format: input.format ?? 'mp3', direction: 'both', stereo: true } },
  };
  return recordCallback(call, params);
}
