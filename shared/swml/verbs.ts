import type { SwmlVerb } from './document.js';

/** Options of the `record_call` verb, camelCased. Undefined means "leave it to the platform default". */
export interface RecordCallOptions {
  /** Names the recording so `stop_record_call` (pause) and a later `record_call` (resume) can target it. */
  controlId?: string;
  stereo?: boolean;
  format?: 'wav' | 'mp3' | 'mp4';
  direction?: 'speak' | 'listen' | 'both';
  /** DTMF digits that stop the recording. */
  terminators?: string;
  beep?: boolean;
  inputSensitivity?: number;
  initialTimeout?: number;
  endSilenceTimeout?: number;
  maxLength?: number;
  /** Where SignalWire POSTs `calling.call.record` status events (our recording-status webhook). */
  statusUrl?: string;
}

/** `{answer:{}}`, or `{answer:{max_duration}}` to cap the call length in seconds. */
export function answer(options?: { maxDuration?: number }): SwmlVerb {
  return options?.maxDuration === undefined ? { answer: {} } : { answer: { max_duration: options.maxDuration } };
}

/**
 * The `record_call` verb (background recording). Keys, order and defaults mirror the Python SDK's
 * `SwaigFunctionResult.record_call`: the always-present defaults first, then optional keys only when
 * given (truthy strings, defined numbers), so the JSON matches the SDK's byte for byte.
 */
export function recordCall(options: RecordCallOptions = {}): SwmlVerb {
  const params: Record<string, unknown> = {
    stereo: options.stereo ?? false,
    format: options.format ?? 'wav',
    direction: options.direction ?? 'both',
    beep: options.beep ?? false,
    input_sensitivity: options.inputSensitivity ?? 44,
  };
  if (options.controlId) params.control_id = options.controlId;
  if (options.terminators) params.terminators = options.terminators;
  if (options.initialTimeout !== undefined) params.initial_timeout = options.initialTimeout;
  if (options.endSilenceTimeout !== undefined) params.end_silence_timeout = options.endSilenceTimeout;
  if (options.maxLength !== undefined) params.max_length = options.maxLength;
  if (options.statusUrl) params.status_url = options.statusUrl;
  return { record_call: params };
}

/** `stop_record_call` pauses/ends one recording; without a control id the platform stops the most recent one. */
export function stopRecordCall(controlId?: string): SwmlVerb {
  return { stop_record_call: controlId ? { control_id: controlId } : {} };
}

/** The `set` verb: assign SWML variables (e.g. `ai_response` before `pay`). */
export function set(variables: Record<string, unknown>): SwmlVerb {
  return { set: { ...variables } };
}

/** `hangup` verb, optionally with a reason. */
export function hangup(reason?: 'hangup' | 'busy' | 'decline'): SwmlVerb {
  return { hangup: reason ? { reason } : {} };
}

/** Options of the `pay` verb (PCI-compliant card capture by SignalWire, which POSTs to our connector). */
export interface PayOptions {
  connectorUrl: string;
  /** Becomes `input`. SignalWire's schema currently accepts only 'dtmf'. */
  inputMethod?: 'dtmf' | 'voice';
  statusUrl?: string;
  paymentMethod?: 'credit-card';
  timeout?: number;
  maxAttempts?: number;
  securityCode?: boolean;
  /** true/false = prompt for it or not; a string = the postal code itself. */
  postalCode?: boolean | string;
  minPostalCodeLength?: number;
  tokenType?: 'one-time' | 'reusable';
  chargeAmount?: string | number;
  currency?: string;
  language?: string;
  voice?: string;
  description?: string;
  validCardTypes?: string;
  parameters?: Array<{ name: string; value: string }>;
  prompts?: Array<Record<string, unknown>>;
}

/**
 * The `pay` verb. Key order and defaults follow the Python SDK's `SwaigFunctionResult.pay`.
 * One deliberate difference: Python stringifies timeout, max_attempts, security_code and
 * min_postal_code_length ("5", "true"); SignalWire's SWML schema types them as integer/boolean and
 * rejects those strings, and where the two disagree the schema wins, so we emit native types.
 * charge_amount is a string in the schema, so a number is stringified.
 */
export function pay(options: PayOptions): SwmlVerb {
  const params: Record<string, unknown> = {
    payment_connector_url: options.connectorUrl,
    input: options.inputMethod ?? 'dtmf',
    payment_method: options.paymentMethod ?? 'credit-card',
    timeout: options.timeout ?? 5,
    max_attempts: options.maxAttempts ?? 1,
    security_code: options.securityCode ?? true,
    min_postal_code_length: options.minPostalCodeLength ?? 0,
    token_type: options.tokenType ?? 'reusable',
    currency: options.currency ?? 'usd',
    language: options.language ?? 'en-US',
    voice: options.voice ?? 'woman',
    valid_card_types: options.validCardTypes ?? 'visa mastercard amex',
    postal_code: options.postalCode ?? true,
  };
  if (options.statusUrl) params.status_url = options.statusUrl;
  // Python's `if charge_amount:` drops 0 and "" but keeps "0".
  if (options.chargeAmount !== undefined && options.chargeAmount !== '' && options.chargeAmount !== 0) {
    params.charge_amount = String(options.chargeAmount);
  }
  if (options.description) params.description = options.description;
  if (options.parameters?.length) params.parameters = options.parameters;
  if (options.prompts?.length) params.prompts = options.prompts;
  return { pay: params };
}
