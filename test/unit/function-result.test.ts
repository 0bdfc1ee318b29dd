import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PAY_AI_RESPONSE,
  FunctionResult,
  isRecordCallAction,
  isStopRecordCallAction,
  type SwaigAction,
} from '#shared/swaig/function-result.js';
import { swmlDocument } from '#shared/swml/document.js';
import { EVERY_PAY_OPTION } from '#test/support/pay-options.js';
import { swaigActionErrors, swmlErrors } from '#test/support/swml-schema.js';

/*
 * Expected strings were produced by running the Python SDK's SwaigFunctionResult
 * (signalwire/signalwire-agents @0a49cfc, core/function_result.py) and printing
 * json.dumps(result.to_dict(), separators=(',', ':')). `python()` re-serialises through JSON.parse:
 * key order is kept, Python's 44.0 prints as 44.
 */
const python = (json: string): string => JSON.stringify(JSON.parse(json));
const wire = (result: FunctionResult): string => JSON.stringify(result.toDict());

/** Every action valid per the schema; SWML actions' documents also validated as whole documents. */
function expectSchemaValid(result: FunctionResult): void {
  for (const action of result.actions) {
    expect(swaigActionErrors(action)).toEqual([]);
    if ('SWML' in action) expect(swmlErrors(action.SWML)).toEqual([]);
  }
}

describe('FunctionResult.toDict (Python to_dict rules)', () => {
  it('says "Action completed." when there is nothing', () => {
    expect(wire(new FunctionResult())).toBe('{"response":"Action completed."}');
  });

  it('omits action when there are none and post_process without actions', () => {
    expect(wire(new FunctionResult('Hi'))).toBe('{"response":"Hi"}');
    expect(wire(new FunctionResult('Hi', true))).toBe('{"response":"Hi"}');
  });

  it('orders response, action, post_process', () => {
    expect(wire(new FunctionResult('Ok', true).say('x'))).toBe('{"response":"Ok","action":[{"say":"x"}],"post_process":true}');
    expect(wire(new FunctionResult().setResponse('Ok').setPostProcess(true).say('x'))).toBe(
      '{"response":"Ok","action":[{"say":"x"}],"post_process":true}',
    );
  });

  it('omits an empty response when there are actions', () => {
    expect(wire(new FunctionResult('').hangup())).toBe('{"action":[{"hangup":true}]}');
  });

  it('JSON.stringify of the builder gives the wire form', () => {
    expect(JSON.stringify(new FunctionResult('Hi'))).toBe('{"response":"Hi"}');
  });
});

describe('FunctionResult.recordCall / stopRecordCall', () => {
  it('matches Python record_call() defaults', () => {
    const result = new FunctionResult().recordCall();
    expect(wire(result)).toBe(
      python(
        '{"action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"record_call":{"stereo":false,"format":"wav","direction":"both","beep":false,"input_sensitivity":44.0}}]}}}]}',
      ),
    );
    expectSchemaValid(result);
  });

  it('matches Python record_call(control_id="main")', () => {
    const result = new FunctionResult('Recording resumed.').recordCall({ controlId: 'main' });
    expect(wire(result)).toBe(
      python(
        '{"response":"Recording resumed.","action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"record_call":{"stereo":false,"format":"wav","direction":"both","beep":false,"input_sensitivity":44.0,"control_id":"main"}}]}}}]}',
      ),
    );
    expectSchemaValid(result);
  });

  it('matches Python record_call(...) with every option', () => {
    const result = new FunctionResult().recordCall({
      controlId: 'main',
      stereo: true,
      format: 'mp3',
      direction: 'speak',
      terminators: '#',
      beep: true,
      inputSensitivity: 20.5,
      initialTimeout: 0,
      endSilenceTimeout: 2.5,
      maxLength: 600,
      statusUrl: 'https://u:p@example.com/recording-status',
    });
    expect(wire(result)).toBe(
      python(
        '{"action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"record_call":{"stereo":true,"format":"mp3","direction":"speak","beep":true,"input_sensitivity":20.5,"control_id":"main","terminators":"#","initial_timeout":0,"end_silence_timeout":2.5,"max_length":600,"status_url":"https://u:p@example.com/recording-status"}}]}}}]}',
      ),
    );
    expectSchemaValid(result);
  });

  it('matches Python stop_record_call() and stop_record_call("main")', () => {
    const last = new FunctionResult().stopRecordCall();
    const named = new FunctionResult('Paused.').stopRecordCall('main');
    expect(wire(last)).toBe('{"action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"stop_record_call":{}}]}}}]}');
    expect(wire(named)).toBe(
      '{"response":"Paused.","action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"stop_record_call":{"control_id":"main"}}]}}}]}',
    );
    expectSchemaValid(last);
    expectSchemaValid(named);
  });
});

/** Python stringifies these pay fields; the schema wants integers/booleans and wins (see verbs.ts). */
function withSchemaTypes(pythonJson: string): string {
  const dict = JSON.parse(pythonJson) as {
    action: Array<{ SWML: { sections: { main: Array<Record<string, Record<string, unknown>>> } } }>;
  };
  for (const action of dict.action) {
    for (const verb of action.SWML.sections.main) {
      const p = verb.pay;
      if (!p) continue;
      for (const key of ['timeout', 'max_attempts', 'min_postal_code_length']) p[key] = Number(p[key]);
      for (const key of ['security_code', 'postal_code']) if (p[key] === 'true' || p[key] === 'false') p[key] = p[key] === 'true';
    }
  }
  return JSON.stringify(dict);
}

describe('FunctionResult.pay', () => {
  it('matches Python pay(url): set ai_response (the SDK default text) then pay', () => {
    const result = new FunctionResult().pay({ connectorUrl: 'https://u:p@example.com/pay' });
    expect(wire(result)).toBe(
      withSchemaTypes(
        '{"action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"set":{"ai_response":"The payment status is ${pay_result}, do not mention anything else about collecting payment if successful."}},{"pay":{"payment_connector_url":"https://u:p@example.com/pay","input":"dtmf","payment_method":"credit-card","timeout":"5","max_attempts":"1","security_code":"true","min_postal_code_length":"0","token_type":"reusable","currency":"usd","language":"en-US","voice":"woman","valid_card_types":"visa mastercard amex","postal_code":"true"}}]}}}]}',
      ),
    );
    expect(DEFAULT_PAY_AI_RESPONSE).toContain('${pay_result}');
    expectSchemaValid(result);
  });

  it('matches Python pay(...) with every option and a custom ai_response', () => {
    const result = new FunctionResult('Collecting.').pay({
      ...EVERY_PAY_OPTION,
      aiResponse: 'Result: ${pay_result}',
    });
    expect(wire(result)).toBe(
      withSchemaTypes(
        '{"response":"Collecting.","action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"set":{"ai_response":"Result: ${pay_result}"}},{"pay":{"payment_connector_url":"https://u:p@example.com/pay","input":"dtmf","payment_method":"credit-card","timeout":"10","max_attempts":"3","security_code":"false","min_postal_code_length":"5","token_type":"one-time","currency":"eur","language":"en-GB","voice":"man","valid_card_types":"visa","postal_code":"90210","status_url":"https://u:p@example.com/pay-status","charge_amount":"19.99","description":"Order 42","parameters":[{"name":"order","value":"42"}],"prompts":[{"for":"payment-card-number","actions":[{"type":"Say","phrase":"Enter your card number"}]}]}}]}}}]}',
      ),
    );
    expectSchemaValid(result);
  });

  it('matches Python pay(postal_code=False)', () => {
    const result = new FunctionResult().pay({ connectorUrl: 'https://example.com/pay', postalCode: false });
    const payVerb = (result.actions[0]?.SWML as { sections: { main: Array<Record<string, Record<string, unknown>>> } }).sections
      .main[1];
    expect(payVerb?.pay?.postal_code).toBe(false);
    expect(Object.keys(payVerb?.pay ?? {}).at(-1)).toBe('postal_code');
    expectSchemaValid(result);
  });
});

describe('FunctionResult data and call-control actions', () => {
  it('matches Python update/remove global data and metadata for single keys', () => {
    const result = new FunctionResult()
      .updateGlobalData({ consent: 'granted', n: 1 })
      .removeGlobalData('consent')
      .setMetadata({ k: 'v' })
      .removeMetadata('k');
    expect(wire(result)).toBe(
      '{"action":[{"set_global_data":{"consent":"granted","n":1}},{"unset_global_data":"consent"},{"set_meta_data":{"k":"v"}},{"unset_meta_data":"k"}]}',
    );
    expectSchemaValid(result);
  });

  it('splits a list of keys into one unset action per key (the schema rejects Python’s array form)', () => {
    // Prepare: Python would send {"unset_global_data":["a","b"]}
    expect(swaigActionErrors({ unset_global_data: ['a', 'b'] })).not.toEqual([]);
    // Act
    const result = new FunctionResult().removeGlobalData(['a', 'b']).removeMetadata(['c']);
    // Assess
    expect(wire(result)).toBe('{"action":[{"unset_global_data":"a"},{"unset_global_data":"b"},{"unset_meta_data":"c"}]}');
    expectSchemaValid(result);
  });

  it('matches Python say/hold/hangup/stop/toggle_functions, with hold clamped to 0..900', () => {
    const result = new FunctionResult('Bye')
      .say('Goodbye')
      .hold()
      .hold(5000)
      .hold(-3)
      .hangup()
      .stop()
      .toggleFunctions([{ function: 'pause_recording', active: false }]);
    expect(wire(result)).toBe(
      '{"response":"Bye","action":[{"say":"Goodbye"},{"hold":300},{"hold":900},{"hold":0},{"hangup":true},{"stop":true},{"toggle_functions":[{"function":"pause_recording","active":false}]}]}',
    );
    expectSchemaValid(result);
  });

  it('matches Python add_action/add_actions', () => {
    const result = new FunctionResult('x').addAction('say', 'a').addActions([{ stop: true }, { set_global_data: { a: 1 } }]);
    expect(wire(result)).toBe('{"response":"x","action":[{"say":"a"},{"stop":true},{"set_global_data":{"a":1}}]}');
  });
});

describe('FunctionResult.executeSwml', () => {
  it('matches Python execute_swml(doc) and does not mutate the document', () => {
    // Prepare
    const doc = swmlDocument([{ answer: {} }]);
    // Act
    const result = new FunctionResult().executeSwml(doc, true);
    // Assess: Python writes transfer:"true" inside the SWML object (a copy since SDK 1.x)
    expect(wire(result)).toBe('{"action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"answer":{}}]},"transfer":"true"}}]}');
    expect(doc).not.toHaveProperty('transfer');
    expect(wire(new FunctionResult().executeSwml(doc))).toBe(
      '{"action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"answer":{}}]}}}]}',
    );
    expectSchemaValid(new FunctionResult().executeSwml(doc));
  });
});

describe('actions / withActions (used by the consent gate)', () => {
  it('exposes actions in order and lets a gate replace them', () => {
    // Prepare
    const result = new FunctionResult('ok').recordCall({ controlId: 'main' }).say('hi');
    // Act
    const kept = result.actions.filter((a) => !isRecordCallAction(a));
    result.withActions(kept);
    // Assess
    expect(wire(result)).toBe('{"response":"ok","action":[{"say":"hi"}]}');
  });

  it('withActions copies the array it is given', () => {
    const list: SwaigAction[] = [{ say: 'a' }];
    const result = new FunctionResult().withActions(list);
    list.push({ stop: true });
    expect(result.actions).toHaveLength(1);
  });
});

describe('isRecordCallAction / isStopRecordCallAction', () => {
  it('recognises the builder’s own actions and nothing else', () => {
    const [start] = new FunctionResult().recordCall().actions;
    const [stop] = new FunctionResult().stopRecordCall('main').actions;
    const [payAction] = new FunctionResult().pay({ connectorUrl: 'https://x.example/pay' }).actions;
    expect(start && isRecordCallAction(start)).toBe(true);
    expect(start && isStopRecordCallAction(start)).toBe(false);
    expect(stop && isStopRecordCallAction(stop)).toBe(true);
    expect(stop && isRecordCallAction(stop)).toBe(false);
    expect(payAction && (isRecordCallAction(payAction) || isStopRecordCallAction(payAction))).toBe(false);
    expect(isRecordCallAction({ say: 'record_call' })).toBe(false);
  });

  it('finds record_call outside main, nested in other verbs, and in SWML given as a JSON string', () => {
    const otherSection = { SWML: swmlDocument([{ execute: { dest: 'rec' } }], { rec: [{ record_call: {} }] }) };
    // biome-ignore lint/suspicious/noThenProperty: SWML's cond verb names its branch `then`
    const nested = { SWML: swmlDocument([{ cond: [{ when: 'true', then: [{ record_call: { format: 'mp3' } }] }] }]) };
    const asString = { SWML: JSON.stringify(swmlDocument([{ stop_record_call: {} }])) };
    const garbled = { SWML: '{"sections": {"main": [{"record_call": {' };
    expect(isRecordCallAction(otherSection)).toBe(true);
    expect(isRecordCallAction(nested)).toBe(true);
    expect(isStopRecordCallAction(asString)).toBe(true);
    expect(isRecordCallAction(garbled)).toBe(true);
  });
});
