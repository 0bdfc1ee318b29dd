import { beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { parseConfig, type Config } from '#shared/config.js';
import { renderAgentSwml } from '#shared/agent/swml-document.js';
import { agentUrls } from '#shared/agent/settings.js';
import { agentTools } from '#shared/agent/tools.js';
import { verifyToolToken } from '#shared/security/tool-token.js';
import { swmlErrors } from '#test/support/swml-schema.js';
import { TEST_SECRETS } from '#test/support/storage.js';

const BASE = 'https://agent.example.com';
type Verb = Record<string, Record<string, unknown>>;

function render(env: Record<string, string> = {}, call: { callId?: string; callerNumber?: string } = {}) {
  const config: Config = parseConfig({ ...TEST_SECRETS, ...env });
  const urls = agentUrls(BASE, TEST_SECRETS.SWML_BASIC_AUTH_USER, TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD, config);
  return renderAgentSwml({ config, urls, tokenSecret: TEST_SECRETS.TOKEN_SECRET, call });
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
    // The signed basis the webhook uses to record the consent implied by the disclosure.
    expect(statusUrl.searchParams.get('jurisdiction')).toBe('US-TX');
    const basis = statusUrl.searchParams.get('basis') ?? undefined;
    expect(verifyToolToken(TEST_SECRETS.TOKEN_SECRET, basis, callId, 'implied_consent:US-TX')).toBe('valid');
    expect(verifyToolToken(TEST_SECRETS.TOKEN_SECRET, basis, randomUUID(), 'implied_consent:US-TX')).toBe('wrong_call');
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

  it('offers every tool, with credentials on the default webhook', () => {
    const verb = aiVerb(render({}, { callId }));
    expect(verb.SWAIG.functions.map((f: { function: string }) => f.function)).toEqual(agentTools.map((t) => t.name));
    expect(verb.SWAIG.defaults.web_hook_url).toBe(
      `https://signalwire:${TEST_SECRETS.SWML_BASIC_AUTH_PASSWORD}@agent.example.com/swaig`,
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
});
