import { swmlCore } from '#shared/agent/swml-core.js';
import { apiEvent, swmlRequestBody } from './signalwire.js';

/** The parts of a served SWML document that SignalWire calls back, as a test needs them. */
export interface ServedSwml {
  document: unknown;
  /** Query of `SWAIG.defaults.web_hook_url`: what every SWAIG request of the call carries (the signed decision). */
  swaigQuery: Record<string, string>;
  /** Query of the URL SignalWire posts `fn` to: its own `web_hook_url` (secure tools: token too), else the default's. */
  queryFor(fn: string): Record<string, string>;
  /** `status_url` of the `record_call` the document starts with, if it starts one. */
  statusUrl: string | undefined;
}

type Verb = Record<string, Record<string, unknown>>;

const queryOf = (url: unknown): Record<string, string> =>
  typeof url === 'string' ? Object.fromEntries(new URL(url).searchParams) : {};

/**
 * The SWML document swmlCore serves for a call (SignalWire's POST body for that call id and
 * caller, the environment's configuration and secrets), read the way SignalWire uses it. Tests
 * send SWAIG requests with its URLs' query strings, exactly as SignalWire would.
 */
export async function serveSwml(callId: string, callerNumber: string): Promise<ServedSwml> {
  const event = apiEvent({ path: '/swml', body: swmlRequestBody(callId, callerNumber) });
  event.jsonBody = JSON.parse(event.body ?? '{}');
  const response = await swmlCore(event);
  if (response.statusCode !== 200) throw new Error(`swmlCore answered ${response.statusCode}`);
  const document = JSON.parse(response.body) as { sections: { main: Verb[] } };
  const main = document.sections.main;
  const ai = main.find((v) => 'ai' in v)?.ai as
    | { SWAIG: { defaults: { web_hook_url?: string }; functions: Array<{ function: string; web_hook_url?: string }> } }
    | undefined;
  if (!ai) throw new Error('served SWML has no ai verb');
  const swaigQuery = queryOf(ai.SWAIG.defaults.web_hook_url);
  return {
    document,
    swaigQuery,
    queryFor: (fn) => {
      const own = ai.SWAIG.functions.find((f) => f.function === fn)?.web_hook_url;
      return own ? queryOf(own) : swaigQuery;
    },
    statusUrl: main.find((v) => 'record_call' in v)?.record_call?.status_url as string | undefined,
  };
}
