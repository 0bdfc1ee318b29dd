import { beforeEach, describe, expect, it } from 'vitest';
import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { parseConfig, type Config } from '#shared/config.js';
import { renderAgentSwml } from '#shared/agent/swml-document.js';
import { agentUrls } from '#shared/agent/settings.js';
import { agentTools } from '#shared/agent/tools.js';
import { decisionFromQuery } from '#shared/consent/call-decision.js';
import { callerHash } from '#shared/consent/caller-hash.js';
import { JURISDICTIONS } from '#shared/consent/jurisdictions.js';
import { mintToolToken, verifyToolToken } from '#shared/security/tool-token.js';
import { swmlErrors } from '#test/support/swml-schema.js';
import { TEST_SECRETS } from '#test/support/storage.js';

const BASE = 'https://agent.example.com';
type Verb = Record<string, Record<string, unknown>>;

function render(env: Record<string, string> = {}, call: { callId?: string; callerNumber?: string } = {}) {
  const config: Config = parseConfig({ ...TEST_SECRETS, ...env });
  const urls = agentUrls(BASE, TEST_SECRETS.SWML_BASIC_AUTH_USER, TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD, config);
  return renderAgentSwml({
    config,
    urls,
    tokenSecret: TEST_SECRETS.TOKEN_SECRET,
    callerHashSecret: TEST_SECRETS.CALLER_HASH_SECRET,
    call,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: assertions walk the ai verb's free-form JSON
function aiVerb(doc: ReturnType<typeof render>): Record<string, any> {
  const verb = doc.sections.main.find((v) => 'ai' in v) as Verb | undefined;
  if (!verb?.ai) throw new Error('no ai verb');
  return verb.ai;
}

describe('the agent SWML document', () => {
  let callId: string;
  beforeEach(() => {
    callId = randomUUID();
  });

  it('is valid SWML in every mode and jurisdiction', () => {
    for (const mode of ['consent-first', 'disclose-and-record']) {
      for (const caller of ['+12145550100', '+14155550100', undefined]) {
        expect(swmlErrors(render({ RECORDING_MODE: mode }, { callId, callerNumber: caller }))).toEqual([]);
      }
    }
    expect(swmlErrors(render({}, {}))).toEqual([]);
  });

  it('starts without record_call in consent-first mode (the default)', () => {
    const doc = render({}, { callId, callerNumber: '+12145550100' });
    expect(doc.sections.main.map((v) => Object.keys(v)[0])).toEqual(['answer', 'ai']);
  });

  it('records from the start only in disclose-and-record mode for a one-party jurisdiction (Texas)', () => {
    const doc = render(
      { RECORDING_MODE: 'disclose-and-record', RECORDING_FORMAT: 'wav' },
      { callId, callerNumber: '+12145550100' },
    );
    const record = (doc.sections.main[1] as Verb).record_call;
    expect(record).toMatchObject({ control_id: 'main', format: 'wav', stereo: true, direction: 'both', beep: false });
    const statusUrl = new URL(String(record?.status_url));
    expect(`${statusUrl.protocol}//${statusUrl.username}:${statusUrl.password}@${statusUrl.host}${statusUrl.pathname}`).toBe(
      `https://signalwire:${TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD}@agent.example.com/recording-status`,
    );
    // The call's signed decision, from which the webhook stores the consent implied by the disclosure.
    const query = Object.fromEntries(statusUrl.searchParams);
    expect(decisionFromQuery(query, callId, TEST_SECRETS.TOKEN_SECRET)).toEqual({
      mode: 'disclose-and-record',
      jurisdiction: JURISDICTIONS.get('US-TX'),
      callerHash: callerHash('+12145550100', TEST_SECRETS.CALLER_HASH_SECRET),
    });
    expect(decisionFromQuery(query, randomUUID(), TEST_SECRETS.TOKEN_SECRET)).toBeUndefined();
  });

  it('forces consent-first for all-party (California) and unknown callers even when config says disclose-and-record', () => {
    for (const caller of ['+14155550100', undefined, '+999']) {
      const doc = render({ RECORDING_MODE: 'disclose-and-record' }, { callId, callerNumber: caller });
      expect(doc.sections.main.some((v) => 'record_call' in v)).toBe(false);
      expect(aiVerb(doc).global_data.recording_mode).toBe('consent-first');
    }
  });

  it('has the prompt sections, language, and no recording params on the ai verb', () => {
    const verb = aiVerb(render({}, { callId }));
    expect(verb.prompt.pom.map((s: { title: string }) => s.title)).toEqual([
      'Role',
      'Recording Policy',
      'Recording Disclosure',
      'Sensitive Information',
    ]);
    expect(verb.prompt.pom[1].bullets).toHaveLength(4);
    expect(verb.languages).toEqual([{ name: 'English', code: 'en-US', voice: 'rime.spore' }]);
    expect(Object.keys(verb.params)).not.toContain('record_call');
    expect(verb.params.swaig_allow_swml).toBe(true);
    expect(JSON.stringify(verb.prompt)).toContain('90 days');
  });

  it('offers every tool, with credentials and the call\u2019s signed decision on the default webhook', () => {
    const verb = aiVerb(render({}, { callId }));
    expect(verb.SWAIG.functions.map((f: { function: string }) => f.function)).toEqual(agentTools.map((t) => t.name));
    const url = new URL(verb.SWAIG.defaults.web_hook_url);
    expect(`${url.protocol}//${url.username}:${url.password}@${url.host}${url.pathname}`).toBe(
      `https://signalwire:${TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD}@agent.example.com/swaig`,
    );
    expect(decisionFromQuery(Object.fromEntries(url.searchParams), callId, TEST_SECRETS.TOKEN_SECRET)?.mode).toBe(
      'consent-first',
    );
  });

  it('gives secure tools a per-call token bound to the call and the function', () => {
    const verb = aiVerb(render({}, { callId }));
    const secure = verb.SWAIG.functions.filter((f: { web_hook_url?: string }) => f.web_hook_url);
    expect(secure.map((f: { function: string }) => f.function).sort()).toEqual(['collect_sensitive_info', 'ssn_received']);
    for (const fn of secure) {
      const token = new URL(fn.web_hook_url).searchParams.get('__token') ?? undefined;
      expect(verifyToolToken(TEST_SECRETS.TOKEN_SECRET, token, callId, fn.function)).toBe('valid');
      expect(verifyToolToken(TEST_SECRETS.TOKEN_SECRET, token, randomUUID(), fn.function)).toBe('wrong_call');
    }
  });

  it('withholds secure tools when there is no call id to bind a token to (bare GET)', () => {
    const names = aiVerb(render({}, {})).SWAIG.functions.map((f: { function: string }) => f.function);
    expect(names).not.toContain('ssn_received');
    expect(names).toContain('get_recording_consent');
  });

  it('uses an external payment connector when configured', () => {
    const config = parseConfig({ ...TEST_SECRETS, PAYMENT_CONNECTOR_URL: 'https://pay.processor.example/connector' });
    expect(agentUrls(BASE, 'u', 'p', config).payment).toBe('https://pay.processor.example/connector');
  });

  it('builds the URLs once for the same inputs and again when any of them changes', () => {
    const config = parseConfig({ ...TEST_SECRETS });
    const first = agentUrls(BASE, 'u', 'p', config);
    expect(agentUrls(BASE, 'u', 'p', config)).toBe(first);
    // Shared by every request of the instance: no caller may change it under the others.
    expect(Object.isFrozen(first)).toBe(true);
    expect(agentUrls('https://other.example.com', 'u', 'p', config).swaig).toBe('https://u:p@other.example.com/swaig');
    expect(agentUrls(BASE, 'v', 'p', config).swaig).toBe('https://v:p@agent.example.com/swaig');
    expect(agentUrls(BASE, 'u', 'q', config).swaig).toBe('https://u:q@agent.example.com/swaig');
    const external = parseConfig({ ...TEST_SECRETS, PAYMENT_CONNECTOR_URL: 'https://pay.processor.example/connector' });
    expect(agentUrls(BASE, 'u', 'p', external).payment).toBe('https://pay.processor.example/connector');
    expect(agentUrls(BASE, 'u', 'p', config)).toEqual({
      swml: 'https://u:p@agent.example.com/swml',
      swaig: 'https://u:p@agent.example.com/swaig',
      recordingStatus: 'https://u:p@agent.example.com/recording-status',
      payment: 'https://u:p@agent.example.com/payment',
    });
  });
});

describe('secure tool tokens: dotted call ids and canonical encoding only', () => {
  const SECRET = TEST_SECRETS.TOKEN_SECRET;
  const FN = 'ssn_received';
  const mint = (callId: string, fn = FN) => mintToolToken(SECRET, callId, fn, 600);
  /** A token spelled as given, signed correctly over what the lenient decoder would read. */
  const signedPayload = (callText: string, callBytes: Buffer = Buffer.from(callText)) => {
    const expiry = String(Math.floor(Date.now() / 1000) + 600);
    const nonce = '0123456789abcdef';
    const sig = createHmac('sha256', SECRET).update(`${callText}:${FN}:${expiry}:${nonce}`).digest('hex');
    return Buffer.concat([callBytes, Buffer.from(`.${FN}.${expiry}.${nonce}.${sig}`)]);
  };
  /** A call id whose token has a length of 4n+2 or 4n+3, i.e. a last character with unused bits. */
  const callWithSpareBits = ['call-a', 'call-ab', 'call-abc'].find((c) => mint(c).length % 4 >= 2) ?? '';

  it('every tool name is dot-free, so a token can be split from the right', () => {
    for (const tool of agentTools) expect(tool.name).toMatch(/^[a-z_][a-z0-9_]*$/);
    expect(() => mintToolToken(SECRET, 'call', 'a.b', 600)).toThrow(RangeError);
    expect(() => mintToolToken(SECRET, '', FN, 600)).toThrow(RangeError);
  });

  it.each(['a.b', 'a..b', '.a', 'v1.call.0f1e2d3c-4b5a-4697-8877-665544332211', 'x.ssn_received.1.2'])(
    'round-trips call id %s',
    (callId) => {
      expect(verifyToolToken(SECRET, mint(callId), callId, FN)).toBe('valid');
      expect(verifyToolToken(SECRET, mint(callId), callId, 'collect_sensitive_info')).toBe('wrong_function');
    },
  );

  it('a dotted call id gets its secure tools in the SWML document', () => {
    const dotted = `sw.${randomUUID()}.leg.1`;
    const secure = aiVerb(render({}, { callId: dotted })).SWAIG.functions.filter(
      (f: { web_hook_url?: string }) => f.web_hook_url,
    );
    expect(secure).toHaveLength(2);
    for (const fn of secure) {
      const token = new URL(fn.web_hook_url).searchParams.get('__token') ?? undefined;
      expect(verifyToolToken(SECRET, token, dotted, fn.function)).toBe('valid');
    }
  });

  it("a token for call 'a.b' opens neither 'a' nor 'b', and moving its dots forges nothing", () => {
    const token = mint('a.b');
    expect(verifyToolToken(SECRET, token, 'a', FN)).toBe('wrong_call');
    expect(verifyToolToken(SECRET, token, 'b', FN)).toBe('wrong_call');
    expect(verifyToolToken(SECRET, token, 'a.b.', FN)).toBe('wrong_call');
    const fields = Buffer.from(token, 'base64url').toString('utf8').split('.');
    const respell = (text: string) => Buffer.from(text).toString('base64url');
    // Drop a segment of the call id, or glue it onto the function: the signature no longer matches.
    expect(verifyToolToken(SECRET, respell(['a', ...fields.slice(2)].join('.')), 'a', FN)).toBe('forged');
    expect(verifyToolToken(SECRET, respell(['b', ...fields.slice(2)].join('.')), 'b', FN)).toBe('forged');
    expect(verifyToolToken(SECRET, respell(['a', `b${FN}`, ...fields.slice(3)].join('.')), 'a', `b${FN}`)).toBe('forged');
  });

  // Tokens of ASCII text never spell '-' or '_' (those need a byte >= 0x80 or '~'/'?' in the right
  // place); '~~~~~~??????' puts both in, so the alphabet swap below changes the spelling.
  const SPELLED_CALL = 'a.~~~~~~??????';
  const token = signedPayload(SPELLED_CALL).toString('base64url');

  it('accepts the canonical spelling of a hand-built token (the variants below differ only in spelling)', () => {
    expect(token).toMatch(/-/);
    expect(token).toMatch(/_/);
    expect(verifyToolToken(SECRET, token, SPELLED_CALL, FN)).toBe('valid');
  });

  const variants: Array<[string, (token: string) => string]> = [
    ['one = of padding', (t) => `${t}=`],
    ['two = of padding', (t) => `${t}==`],
    ['standard base64 with padding', (t) => Buffer.from(t, 'base64url').toString('base64')],
    ['+ and / for - and _', (t) => t.replace(/-/g, '+').replace(/_/g, '/')],
    ['trailing junk', (t) => `${t}!`],
    ['a trailing base64 character', (t) => `${t}A`],
    ['a trailing ~', (t) => `${t}~`],
    ['a leading space', (t) => ` ${t}`],
    ['a trailing newline', (t) => `${t}\n`],
    ['a space inside', (t) => `${t.slice(0, 10)} ${t.slice(10)}`],
    ['a tab inside', (t) => `${t.slice(0, 20)}\t${t.slice(20)}`],
    ['a percent-encoded character', (t) => `${t.slice(0, 5)}%41${t.slice(5)}`],
  ];

  it.each(variants)('refuses %s as malformed', (_name, variant) => {
    const spelled = variant(token);
    expect(spelled).not.toBe(token);
    expect(verifyToolToken(SECRET, spelled, SPELLED_CALL, FN)).toBe('malformed');
  });

  it('refuses non-zero unused bits in the last character (same bytes, another spelling)', () => {
    const token = mint(callWithSpareBits);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.slice(-1));
    const spelled = `${token.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(spelled, 'base64url').equals(Buffer.from(token, 'base64url'))).toBe(true);
    expect(verifyToolToken(SECRET, token, callWithSpareBits, FN)).toBe('valid');
    expect(verifyToolToken(SECRET, spelled, callWithSpareBits, FN)).toBe('malformed');
  });

  it.each([
    ['an invalid byte', Buffer.from([0x61, 0xff])],
    ['an overlong dot (C0 AE)', Buffer.from([0x61, 0xc0, 0xae, 0x62])],
    ['a lone continuation byte', Buffer.from([0x61, 0x80])],
    ['a truncated sequence', Buffer.from([0x61, 0xe2, 0x82])],
    ['an encoded surrogate', Buffer.from([0x61, 0xed, 0xa0, 0x80])],
  ])('refuses a token whose bytes are not valid UTF-8 (%s), even signed over what Node would read', (_name, callBytes) => {
    const callText = callBytes.toString('utf8');
    const token = signedPayload(callText, callBytes).toString('base64url');
    expect(verifyToolToken(SECRET, token, callText, FN)).toBe('malformed');
  });

  it('property: any other string than the token itself opens nothing', () => {
    const token = mint('a.b');
    const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .\n%'];
    const edit = fc.oneof(
      fc.tuple(fc.constant('insert' as const), fc.nat({ max: token.length }), fc.constantFrom(...alphabet)),
      fc.tuple(fc.constant('delete' as const), fc.nat({ max: token.length - 1 }), fc.constant('')),
      fc.tuple(fc.constant('replace' as const), fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet)),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let spelled = token;
        for (const [kind, at, ch] of edits) {
          const i = Math.min(at, spelled.length);
          spelled = `${spelled.slice(0, i)}${ch}${spelled.slice(kind === 'insert' ? i : i + 1)}`;
        }
        fc.pre(spelled !== token);
        expect(verifyToolToken(SECRET, spelled, 'a.b', FN)).not.toBe('valid');
      }),
      { numRuns: 500 },
    );
  });
});
