import { swmlDocument, type SwmlDocument } from '#shared/swml/document.js';
import { pay, recordCall, set, stopRecordCall, type PayOptions, type RecordCallOptions } from '#shared/swml/verbs.js';

/** One SWAIG action: a single-key object such as `{ say: "…" }` or `{ SWML: {…} }`. */
export type SwaigAction = Record<string, unknown>;

/** What a SWAIG function answers. Key order: response, action, post_process. */
export interface SwaigResponse {
  response?: string;
  action?: SwaigAction[];
  post_process?: true;
}

/** The Python SDK's default `ai_response` set before `pay`, so the AI reports `${pay_result}`. */
export const DEFAULT_PAY_AI_RESPONSE =
  'The payment status is ${pay_result}, do not mention anything else about collecting payment if successful.';

/** Python's `hold` clamps to 0..900 seconds. */
const MAX_HOLD_SECONDS = 900;

/**
 * Builder for a SWAIG function's reply, a port of the Python SDK's `SwaigFunctionResult`: same
 * action shapes and the same `to_dict()` rules, so the JSON is comparable byte for byte.
 *
 * This is the public, SDK-equivalent API for tools added to the agent, so it is kept whole even
 * where this agent's own tools do not call a method (addAction(s), executeSwml, hangup, hold,
 * toggleFunctions, setMetadata, removeGlobalData, removeMetadata): each is held to the SDK's
 * JSON and to the SWML schema by test/unit/function-result.test.ts.
 */
export class FunctionResult {
  private response: string;
  private postProcess: boolean;
  private actionList: SwaigAction[] = [];

  constructor(response?: string, postProcess = false) {
    this.response = response ?? '';
    this.postProcess = postProcess;
  }

  /** The text the AI says back. */
  setResponse(text: string): this {
    this.response = text;
    return this;
  }

  /** true = let the AI take one more turn before the actions run. */
  setPostProcess(on: boolean): this {
    this.postProcess = on;
    return this;
  }

  /** Append `{ [name]: data }`. */
  addAction(name: string, data: unknown): this {
    this.actionList.push({ [name]: data });
    return this;
  }

  /** Append ready-made actions. */
  addActions(actions: SwaigAction[]): this {
    this.actionList.push(...actions);
    return this;
  }

  /** Start (or resume, with the same control id) a background recording via an SWML action. */
  recordCall(options?: RecordCallOptions): this {
    return this.executeSwml(swmlDocument([recordCall(options)]));
  }

  /** Stop (pause) a background recording; without a control id the most recent one. */
  stopRecordCall(controlId?: string): this {
    return this.executeSwml(swmlDocument([stopRecordCall(controlId)]));
  }

  /**
   * Collect a card payment: `set ai_response` then `pay`, as one SWML action. With
   * `stopRecording` (a control id), that recording's `stop_record_call` comes first in the same
   * document, so nothing can run between the pause and the card capture (not the Python SDK's: an
   * addition of ours).
   */
  pay(options: PayOptions & { aiResponse?: string; stopRecording?: string }): this {
    const { aiResponse, stopRecording, ...payOptions } = options;
    return this.executeSwml(
      swmlDocument([
        ...(stopRecording === undefined ? [] : [stopRecordCall(stopRecording)]),
        set({ ai_response: aiResponse ?? DEFAULT_PAY_AI_RESPONSE }),
        pay(payOptions),
      ]),
    );
  }

  /** `set_global_data` (the platform's name for Python's update_global_data). */
  updateGlobalData(data: Record<string, unknown>): this {
    return this.addAction('set_global_data', data);
  }

  /**
   * `unset_global_data`. A single key gives Python's `{unset_global_data: "key"}`. For a list, Python
   * sends the array, which the SWML schema rejects (string or object only), so each key gets its own action.
   */
  removeGlobalData(keys: string | string[]): this {
    for (const key of typeof keys === 'string' ? [keys] : keys) this.addAction('unset_global_data', key);
    return this;
  }

  /** `set_meta_data`: data scoped to this function's meta_data_token. */
  setMetadata(data: Record<string, unknown>): this {
    return this.addAction('set_meta_data', data);
  }

  /** `unset_meta_data`, one action per key (same schema reason as removeGlobalData). */
  removeMetadata(keys: string | string[]): this {
    for (const key of typeof keys === 'string' ? [keys] : keys) this.addAction('unset_meta_data', key);
    return this;
  }

  /** Make the agent speak this text verbatim. */
  say(text: string): this {
    return this.addAction('say', text);
  }

  /** End the call. */
  hangup(): this {
    return this.addAction('hangup', true);
  }

  /** Stop the agent. */
  stop(): this {
    return this.addAction('stop', true);
  }

  /** Put the caller on hold; seconds clamped to 0..900, default 300 (Python's rules). */
  hold(timeoutSeconds = 300): this {
    return this.addAction('hold', Math.max(0, Math.min(timeoutSeconds, MAX_HOLD_SECONDS)));
  }

  /** Enable/disable SWAIG functions for the rest of the call. */
  toggleFunctions(toggles: Array<{ function: string; active: boolean }>): this {
    return this.addAction(
      'toggle_functions',
      toggles.map((t) => ({ function: t.function, active: t.active })),
    );
  }

  /**
   * Run an SWML document from inside the AI session (needs `params.swaig_allow_swml`, default true).
   * The document is copied, never mutated. With `transfer`, the call leaves the agent afterwards;
   * like Python's `execute_swml`, the flag is written as the string "true" into the SWML object.
   * (The SWML schema has no `transfer` key, so a transferring action does not schema-validate.)
   */
  executeSwml(document: SwmlDocument | Record<string, unknown>, transfer = false): this {
    const swml: Record<string, unknown> = { ...document };
    if (transfer) swml.transfer = 'true';
    return this.addAction('SWML', swml);
  }

  /** The actions so far, in order. */
  get actions(): readonly SwaigAction[] {
    return this.actionList;
  }

  /** Replace the action list (the server-side consent gate filters actions). */
  withActions(actions: SwaigAction[]): this {
    this.actionList = [...actions];
    return this;
  }

  /**
   * Python `to_dict()`: response omitted if empty, action omitted if none, `post_process: true` only
   * when set and there are actions, and `{"response":"Action completed."}` when there is nothing.
   */
  toDict(): SwaigResponse {
    const result: SwaigResponse = {};
    if (this.response) result.response = this.response;
    if (this.actionList.length > 0) result.action = [...this.actionList];
    if (this.postProcess && this.actionList.length > 0) result.post_process = true;
    if (result.response === undefined && result.action === undefined) result.response = 'Action completed.';
    return result;
  }

  /** So `JSON.stringify(result)` gives the wire form. */
  toJSON(): SwaigResponse {
    return this.toDict();
  }
}

/** True when the action is an SWML action that contains a `record_call` verb anywhere (starts/resumes recording). */
export function isRecordCallAction(action: SwaigAction): boolean {
  return swmlActionContainsVerb(action, 'record_call');
}

/** True when the action is an SWML action that contains a `stop_record_call` verb anywhere. */
export function isStopRecordCallAction(action: SwaigAction): boolean {
  return swmlActionContainsVerb(action, 'stop_record_call');
}

/**
 * Looks through the whole SWML payload, not just `sections.main`, because a consent gate must not be
 * bypassed by a verb placed in another section or nested inside `cond`/`switch`. SWML given as a JSON
 * string (Python's execute_swml accepts one) is parsed; an unparsable string is searched as text.
 */
function swmlActionContainsVerb(action: SwaigAction, verb: string): boolean {
  if (!Object.hasOwn(action, 'SWML')) return false;
  const swml = action.SWML;
  if (typeof swml === 'string') {
    try {
      return containsKey(JSON.parse(swml) as unknown, verb);
    } catch {
      return swml.includes(`"${verb}"`);
    }
  }
  return containsKey(swml, verb);
}

function containsKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((item) => containsKey(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => k === key || containsKey(v, key));
  }
  return false;
}
