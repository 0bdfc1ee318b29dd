/**
 * Reads what the CLI needs out of a SWML document or SWAIG response without trusting its
 * shape: everything arrives as unknown JSON.
 */

export type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One SWAIG function as the SWML document offers it to the AI. */
export interface OfferedFunction {
  function: string;
  description: string;
  parameters: unknown;
  /** Set for secure tools: the SWAIG URL with the per-call `__token`. */
  webHookUrl?: string;
}

export interface OfferedTools {
  functions: OfferedFunction[];
  defaultUrl?: string;
}

/** Every verb (one-key object) of the document's main section, in order. */
export function mainVerbs(document: unknown): Json[] {
  const sections = isObject(document) && isObject(document.sections) ? document.sections : undefined;
  const main = sections?.main;
  return Array.isArray(main) ? main.filter(isObject) : [];
}

function aiVerb(document: unknown): Json | undefined {
  const verb = mainVerbs(document).find((v) => isObject(v.ai));
  return verb && isObject(verb.ai) ? verb.ai : undefined;
}

export function offeredTools(document: unknown): OfferedTools {
  const swaig = aiVerb(document)?.SWAIG;
  if (!isObject(swaig)) return { functions: [] };
  const functions = (Array.isArray(swaig.functions) ? swaig.functions : []).filter(isObject).flatMap((f): OfferedFunction[] =>
    typeof f.function === 'string'
      ? [
          {
            function: f.function,
            description: typeof f.description === 'string' ? f.description : '',
            parameters: f.parameters,
            ...(typeof f.web_hook_url === 'string' ? { webHookUrl: f.web_hook_url } : {}),
          },
        ]
      : [],
  );
  const defaults = isObject(swaig.defaults) ? swaig.defaults : {};
  return { functions, ...(typeof defaults.web_hook_url === 'string' ? { defaultUrl: defaults.web_hook_url } : {}) };
}

/** The prompt section with this title (POM form), as plain text. */
export function promptSection(document: unknown, title: string): string | undefined {
  const prompt = aiVerb(document)?.prompt;
  const pom = isObject(prompt) && Array.isArray(prompt.pom) ? prompt.pom.filter(isObject) : [];
  const section = pom.find((s) => typeof s.title === 'string' && s.title.toLowerCase() === title.toLowerCase());
  if (!section) return undefined;
  const bullets = Array.isArray(section.bullets) ? section.bullets.filter((b): b is string => typeof b === 'string') : [];
  return [typeof section.body === 'string' ? section.body : '', ...bullets.map((b) => `- ${b}`)].filter(Boolean).join('\n');
}

/** The SWML verbs inside a SWAIG response's `SWML` actions (record_call, stop_record_call, pay, ...). */
export function swmlActionVerbs(response: unknown): Json[] {
  if (!isObject(response) || !Array.isArray(response.action)) return [];
  return response.action.filter(isObject).flatMap((action) => (isObject(action.SWML) ? mainVerbs(action.SWML) : []));
}

/** Every `set_global_data` of a SWAIG response merged, as SignalWire applies them. */
export function globalDataUpdates(response: unknown): Json {
  if (!isObject(response) || !Array.isArray(response.action)) return {};
  return Object.assign(
    {},
    ...response.action.filter(isObject).map((a) => (isObject(a.set_global_data) ? a.set_global_data : {})),
  ) as Json;
}

/** Short human summary of a SWAIG response's actions: `record_call(main)`, `set_global_data{...}`. */
export function describeActions(response: unknown): string[] {
  if (!isObject(response) || !Array.isArray(response.action)) return [];
  return response.action.filter(isObject).flatMap((action) => {
    if (isObject(action.SWML)) {
      return mainVerbs(action.SWML).map((verb) => {
        const [name, params] = Object.entries(verb)[0] ?? ['?', {}];
        const controlId = isObject(params) && typeof params.control_id === 'string' ? `(${params.control_id})` : '';
        return `SWML ${name}${controlId}`;
      });
    }
    return Object.entries(action).map(([name, value]) =>
      name === 'set_global_data' ? `set_global_data ${JSON.stringify(value)}` : name,
    );
  });
}

export { isObject };
