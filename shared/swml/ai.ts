import type { SwmlVerb } from './document.js';

/** One section of a Prompt Object Model prompt (SignalWire's structured prompt format). */
export interface PromptSection {
  title: string;
  body?: string;
  bullets?: string[];
  /** Number this section (and its siblings) when the platform renders the prompt. */
  numbered?: boolean;
  /** Render bullets as a numbered list. */
  numberedBullets?: boolean;
  subsections?: PromptSection[];
}

/** One `ai.languages` entry. */
interface Language {
  name: string;
  code: string;
  voice: string;
}

/** A SWAIG function definition exactly as the `ai` verb carries it (no `secure`: the schema rejects it). */
export interface SwaigFunctionDefinition {
  function: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, unknown>; required?: string[] };
  web_hook_url?: string;
  fillers?: Record<string, string[]>;
  meta_data_token?: string;
}

/** Inputs of the `ai` verb. */
export interface AiOptions {
  prompt: PromptSection[];
  postPrompt?: string;
  postPromptUrl?: string;
  functions: SwaigFunctionDefinition[];
  /** Becomes `SWAIG.defaults.web_hook_url` (the only key the schema allows there). */
  defaultWebHookUrl?: string;
  params?: Record<string, unknown>;
  hints?: string[];
  languages?: Language[];
  pronounce?: Array<Record<string, unknown>>;
  globalData?: Record<string, unknown>;
}

/**
 * Render POM sections the way the Python SDK's `signalwire_pom` `Section.to_dict` does: title, body,
 * bullets, subsections, then the numbering flags; empty/false fields omitted.
 * Throws on a section the SWML schema rejects (empty title, or neither body nor bullets): that is a
 * bug in our prompt, better caught by the unit tests than by SignalWire at call time.
 */
export function renderPom(sections: PromptSection[]): Array<Record<string, unknown>> {
  return sections.map(renderSection);
}

function renderSection(section: PromptSection): Record<string, unknown> {
  if (!section.title) throw new TypeError('POM section needs a non-empty title');
  if (!section.body && !section.bullets?.length) {
    throw new TypeError(`POM section "${section.title}" needs a body or bullets`);
  }
  const out: Record<string, unknown> = { title: section.title };
  if (section.body) out.body = section.body;
  if (section.bullets?.length) out.bullets = [...section.bullets];
  if (section.subsections?.length) out.subsections = renderPom(section.subsections);
  if (section.numbered) out.numbered = true;
  if (section.numberedBullets) out.numberedBullets = true;
  return out;
}

/**
 * One SWAIG function entry in the Python SDK's key order: function, description, parameters,
 * fillers, web_hook_url, then anything else the caller added. `secure` is dropped: it is a Python
 * SDK notion, not a platform field, and the schema rejects it.
 */
export function swaigFunction(definition: SwaigFunctionDefinition): Record<string, unknown> {
  const { function: name, description, parameters, fillers, web_hook_url, ...rest } = definition;
  const entry: Record<string, unknown> = { function: name, description, parameters };
  if (fillers && Object.keys(fillers).length > 0) entry.fillers = fillers;
  if (web_hook_url) entry.web_hook_url = web_hook_url;
  for (const [key, value] of Object.entries(rest)) {
    if (key !== 'secure' && value !== undefined) entry[key] = value;
  }
  return entry;
}

/**
 * The `ai` verb, keyed in the order the Python SDK's `AIVerbHandler.build_config` plus
 * `AgentBase._render_swml` produce: prompt, post_prompt, post_prompt_url, SWAIG (only with
 * functions), params (always, `{}` when empty), hints, languages, pronounce, global_data.
 */
export function ai(options: AiOptions): SwmlVerb {
  const body: Record<string, unknown> = { prompt: { pom: renderPom(options.prompt) } };
  if (options.postPrompt) body.post_prompt = { text: options.postPrompt };
  if (options.postPromptUrl) body.post_prompt_url = options.postPromptUrl;
  if (options.functions.length > 0) {
    const swaig: Record<string, unknown> = { functions: options.functions.map(swaigFunction) };
    if (options.defaultWebHookUrl) swaig.defaults = { web_hook_url: options.defaultWebHookUrl };
    body.SWAIG = swaig;
  }
  body.params = { ...(options.params ?? {}) };
  if (options.hints?.length) body.hints = [...options.hints];
  if (options.languages?.length) {
    body.languages = options.languages.map(({ name, code, voice }) => ({ name, code, voice }));
  }
  if (options.pronounce?.length) body.pronounce = options.pronounce;
  if (options.globalData && Object.keys(options.globalData).length > 0) body.global_data = options.globalData;
  return { ai: body };
}
