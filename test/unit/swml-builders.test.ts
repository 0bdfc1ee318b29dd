import { describe, expect, it } from 'vitest';
import {
  ai,
  answer,
  hangup,
  pay,
  recordCall,
  renderPom,
  set,
  stopRecordCall,
  swaigFunction,
  swmlDocument,
} from '#shared/swml/index.js';
import type { AiOptions, PromptSection } from '#shared/swml/index.js';
import { EVERY_PAY_OPTION } from '#test/support/pay-options.js';
import { swmlErrors } from '#test/support/swml-schema.js';

/*
 * Expected strings below were produced by running the Python SDK itself (signalwire/signalwire-agents
 * @0a49cfc: core/function_result.py, core/swml_handler.py AIVerbHandler.build_config, and
 * briankwest/signalwire-pom's Section.to_dict) with json.dumps(separators=(',', ':')).
 * `python()` re-serialises them through JSON.parse, which keeps key order but prints Python's 44.0 as 44.
 */
const python = (json: string): string => JSON.stringify(JSON.parse(json));

const PROMPT: PromptSection[] = [
  { title: 'Role', body: 'You are a receptionist.' },
  { title: 'Recording Policy', bullets: ['Ask consent first.', 'Never record card data.'], numberedBullets: true },
  {
    title: 'Steps',
    body: 'Follow these.',
    numbered: true,
    subsections: [{ title: 'Greeting', body: 'Say hello.', bullets: ['Be brief.'] }],
  },
];

const FULL_AI: AiOptions = {
  prompt: PROMPT,
  postPrompt: 'Summarize.',
  postPromptUrl: 'https://u:p@example.com/post',
  functions: [
    {
      function: 'record_consent',
      description: 'Record consent',
      parameters: { type: 'object', properties: { granted: { type: 'boolean', description: 'yes/no' } }, required: ['granted'] },
    },
  ],
  defaultWebHookUrl: 'https://u:p@example.com/swaig',
  params: { swaig_allow_swml: true, end_of_speech_timeout: 700 },
  hints: ['SignalWire'],
  languages: [{ name: 'English', code: 'en-US', voice: 'rime.spore' }],
  pronounce: [{ replace: 'SW', with: 'SignalWire' }],
  globalData: { consent: 'unknown' },
};

describe('swmlDocument', () => {
  it('puts version before sections and main first', () => {
    // Act
    const doc = swmlDocument([answer()], { other: [hangup()] });
    // Assess
    expect(JSON.stringify(doc)).toBe('{"version":"1.0.0","sections":{"main":[{"answer":{}}],"other":[{"hangup":{}}]}}');
    expect(swmlErrors(doc)).toEqual([]);
  });
});

describe('answer', () => {
  it('is empty by default and carries max_duration when given', () => {
    expect(JSON.stringify(answer())).toBe('{"answer":{}}');
    expect(JSON.stringify(answer({ maxDuration: 3600 }))).toBe('{"answer":{"max_duration":3600}}');
    expect(swmlErrors(swmlDocument([answer({ maxDuration: 3600 })]))).toEqual([]);
  });
});

describe('recordCall', () => {
  it('matches Python record_call() defaults', () => {
    expect(JSON.stringify(recordCall())).toBe(
      python('{"record_call":{"stereo":false,"format":"wav","direction":"both","beep":false,"input_sensitivity":44.0}}'),
    );
  });

  it('matches Python record_call(...) with every option, optional keys after the defaults', () => {
    // Act
    const verb = recordCall({
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
    // Assess
    expect(JSON.stringify(verb)).toBe(
      python(
        '{"record_call":{"stereo":true,"format":"mp3","direction":"speak","beep":true,"input_sensitivity":20.5,"control_id":"main","terminators":"#","initial_timeout":0,"end_silence_timeout":2.5,"max_length":600,"status_url":"https://u:p@example.com/recording-status"}}',
      ),
    );
    expect(swmlErrors(swmlDocument([verb]))).toEqual([]);
  });

  it('omits empty strings the way Python does (truthiness), but keeps a zero timeout', () => {
    const verb = recordCall({ controlId: '', terminators: '', statusUrl: '', initialTimeout: 0 });
    expect(Object.keys(verb.record_call as object)).toEqual([
      'stereo',
      'format',
      'direction',
      'beep',
      'input_sensitivity',
      'initial_timeout',
    ]);
  });

  it('is rejected by the schema when a key is wrong (the schema check is not vacuous)', () => {
    // Prepare: a misspelt key and a format the platform does not know
    const bad = swmlDocument([{ record_call: { ...(recordCall().record_call as object), recording_format: 'mp3' } }]);
    const badFormat = swmlDocument([{ record_call: { format: 'ogg' } }]);
    // Assess
    expect(swmlErrors(bad).length).toBeGreaterThan(0);
    expect(swmlErrors(badFormat).length).toBeGreaterThan(0);
  });
});

describe('stopRecordCall', () => {
  it('targets a control id or, without one, the last recording', () => {
    expect(JSON.stringify(stopRecordCall('main'))).toBe('{"stop_record_call":{"control_id":"main"}}');
    expect(JSON.stringify(stopRecordCall())).toBe('{"stop_record_call":{}}');
    expect(swmlErrors(swmlDocument([stopRecordCall('main'), stopRecordCall()]))).toEqual([]);
  });
});

describe('set', () => {
  it('wraps the variables and copies them', () => {
    const vars = { ai_response: 'x' };
    const verb = set(vars);
    vars.ai_response = 'changed';
    expect(JSON.stringify(verb)).toBe('{"set":{"ai_response":"x"}}');
  });
});

/**
 * Python's pay() stringifies timeout, max_attempts, min_postal_code_length ("5") and the booleans
 * ("true"); SignalWire's schema types those as integer/boolean and rejects the strings. The schema
 * wins (docs/protocol.md), so this converts Python's output to the schema types and checks that
 * everything else (keys, order, defaults, omissions) is identical.
 */
function pythonPayWithSchemaTypes(json: string): string {
  const verb = JSON.parse(json) as { pay: Record<string, unknown> };
  const p = verb.pay;
  for (const key of ['timeout', 'max_attempts', 'min_postal_code_length']) p[key] = Number(p[key]);
  for (const key of ['security_code', 'postal_code']) if (p[key] === 'true' || p[key] === 'false') p[key] = p[key] === 'true';
  return JSON.stringify(verb);
}

describe('pay', () => {
  it('matches Python pay() defaults, in schema types', () => {
    // Act
    const verb = pay({ connectorUrl: 'https://u:p@example.com/pay' });
    // Assess
    expect(JSON.stringify(verb)).toBe(
      pythonPayWithSchemaTypes(
        '{"pay":{"payment_connector_url":"https://u:p@example.com/pay","input":"dtmf","payment_method":"credit-card","timeout":"5","max_attempts":"1","security_code":"true","min_postal_code_length":"0","token_type":"reusable","currency":"usd","language":"en-US","voice":"woman","valid_card_types":"visa mastercard amex","postal_code":"true"}}',
      ),
    );
    expect(swmlErrors(swmlDocument([verb]))).toEqual([]);
  });

  it('matches Python pay(...) with every option', () => {
    // Act
    const verb = pay(EVERY_PAY_OPTION);
    // Assess
    expect(JSON.stringify(verb)).toBe(
      pythonPayWithSchemaTypes(
        '{"pay":{"payment_connector_url":"https://u:p@example.com/pay","input":"dtmf","payment_method":"credit-card","timeout":"10","max_attempts":"3","security_code":"false","min_postal_code_length":"5","token_type":"one-time","currency":"eur","language":"en-GB","voice":"man","valid_card_types":"visa","postal_code":"90210","status_url":"https://u:p@example.com/pay-status","charge_amount":"19.99","description":"Order 42","parameters":[{"name":"order","value":"42"}],"prompts":[{"for":"payment-card-number","actions":[{"type":"Say","phrase":"Enter your card number"}]}]}}',
      ),
    );
    expect(swmlErrors(swmlDocument([verb]))).toEqual([]);
  });

  it('stringifies a numeric charge amount (the schema wants a string) and drops 0 like Python', () => {
    expect(
      (pay({ connectorUrl: 'https://x.example/pay', chargeAmount: 12.5 }).pay as Record<string, unknown>).charge_amount,
    ).toBe('12.5');
    expect(pay({ connectorUrl: 'https://x.example/pay', chargeAmount: 0 }).pay).not.toHaveProperty('charge_amount');
  });

  it('the Python SDK’s stringified pay is schema-invalid (why we deviate)', () => {
    // Prepare: our valid verb, then Python's string form of the same
    const ours = pay({ connectorUrl: 'https://x.example/pay' });
    const pythonForm = {
      pay: { ...(ours.pay as object), timeout: '5', max_attempts: '1', security_code: 'true', min_postal_code_length: '0' },
    };
    // Assess
    expect(swmlErrors(swmlDocument([ours]))).toEqual([]);
    expect(swmlErrors(swmlDocument([pythonForm]))).not.toEqual([]);
  });
});

describe('POM rendering', () => {
  it('matches signalwire_pom Section.to_dict key order: title, body, bullets, subsections, numbered, numberedBullets', () => {
    expect(JSON.stringify(renderPom(PROMPT))).toBe(
      python(
        '[{"title":"Role","body":"You are a receptionist."},{"title":"Recording Policy","bullets":["Ask consent first.","Never record card data."],"numberedBullets":true},{"title":"Steps","body":"Follow these.","subsections":[{"title":"Greeting","body":"Say hello.","bullets":["Be brief."]}],"numbered":true}]',
      ),
    );
  });

  it('refuses sections the schema would reject', () => {
    expect(() => renderPom([{ title: 'Empty' }])).toThrow(/body or bullets/);
    expect(() => renderPom([{ title: '', body: 'x' }])).toThrow(/title/);
    expect(() => renderPom([{ title: 'Parent', body: 'x', subsections: [{ title: 'Child', bullets: [] }] }])).toThrow(/Child/);
  });
});

describe('ai', () => {
  it('matches the Python SDK ai verb with every part, key for key', () => {
    // Act
    const verb = ai(FULL_AI);
    // Assess
    expect(JSON.stringify(verb)).toBe(
      python(
        '{"ai":{"prompt":{"pom":[{"title":"Role","body":"You are a receptionist."},{"title":"Recording Policy","bullets":["Ask consent first.","Never record card data."],"numberedBullets":true},{"title":"Steps","body":"Follow these.","subsections":[{"title":"Greeting","body":"Say hello.","bullets":["Be brief."]}],"numbered":true}]},"post_prompt":{"text":"Summarize."},"post_prompt_url":"https://u:p@example.com/post","SWAIG":{"functions":[{"function":"record_consent","description":"Record consent","parameters":{"type":"object","properties":{"granted":{"type":"boolean","description":"yes/no"}},"required":["granted"]}}],"defaults":{"web_hook_url":"https://u:p@example.com/swaig"}},"params":{"swaig_allow_swml":true,"end_of_speech_timeout":700},"hints":["SignalWire"],"languages":[{"name":"English","code":"en-US","voice":"rime.spore"}],"pronounce":[{"replace":"SW","with":"SignalWire"}],"global_data":{"consent":"unknown"}}}',
      ),
    );
  });

  it('matches the Python SDK minimal ai verb: no SWAIG without functions, params always present', () => {
    const verb = ai({ prompt: [{ title: 'Role', body: 'Hi.' }], functions: [] });
    expect(JSON.stringify(verb)).toBe('{"ai":{"prompt":{"pom":[{"title":"Role","body":"Hi."}]},"params":{}}}');
    expect(swmlErrors(swmlDocument([verb]))).toEqual([]);
  });

  it('drops a stray `secure` flag and orders function keys like the SDK', () => {
    // Prepare: `secure` smuggled in the way a Python-minded caller might
    const definition = {
      meta_data_token: 'tok',
      web_hook_url: 'https://u:p@example.com/swaig?fn=x',
      fillers: { 'en-US': ['One moment.'] },
      parameters: { type: 'object' as const, properties: {} },
      description: 'd',
      function: 'x',
      secure: true,
    };
    // Act
    const entry = swaigFunction(definition);
    // Assess
    expect(Object.keys(entry)).toEqual(['function', 'description', 'parameters', 'fillers', 'web_hook_url', 'meta_data_token']);
    const doc = swmlDocument([ai({ prompt: [{ title: 'Role', body: 'Hi.' }], functions: [definition] })]);
    expect(swmlErrors(doc)).toEqual([]);
  });

  it('a `secure` key on a function is schema-invalid (why it is dropped)', () => {
    // Prepare: a valid ai verb, then the same with `secure` added to its function
    const valid = ai({
      prompt: [{ title: 'R', body: 'b' }],
      functions: [{ function: 'x', description: 'd', parameters: { type: 'object', properties: {} } }],
    });
    const body = valid.ai as { SWAIG: { functions: Array<Record<string, unknown>> } };
    const withSecure = { ai: { ...body, SWAIG: { functions: [{ ...body.SWAIG.functions[0], secure: true }] } } };
    // Assess
    expect(swmlErrors(swmlDocument([valid]))).toEqual([]);
    expect(swmlErrors(swmlDocument([withSecure]))).not.toEqual([]);
  });

  it('the whole call document (answer, record_call, ai) is valid SWML', () => {
    // Act
    const doc = swmlDocument([
      answer(),
      recordCall({ controlId: 'main', format: 'mp3', stereo: true, statusUrl: 'https://USER:PASS@example.com/recording-status' }),
      ai(FULL_AI),
    ]);
    // Assess
    expect(swmlErrors(doc)).toEqual([]);
    expect(doc.sections.main.map((verb) => Object.keys(verb)[0])).toEqual(['answer', 'record_call', 'ai']);
  });
});
