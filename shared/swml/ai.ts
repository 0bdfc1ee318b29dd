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
export interface Language {
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
 */
export function renderPom(sections: PromptSection[]): Array<Record<string, unknown>> {
  return sections.map(renderSection);
}

function renderSection(section: PromptSection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (section.title) out.title = section.title;
  if (section.body) out.body = section.body;
  if (section.bullets?.length) out.bullets = [...section.bullets];
  if (section.subsections?.length) out.subsections = renderPom(section.subsections);
  if (section.numbered) out.numbered = true;
  if (section.numberedBullets) out.numberedBullets = true;
  return out;
}

/**
 * The `ai` verb. Key order follows the Python SDK's agent rendering: prompt, post_prompt,
 * post_prompt_url, SWAIG, params (always present), hints, languages, pronounce, global_data.
 */
export function ai(options: AiOptions): SwmlVerb {
  const body: Record<string, unknown> = { prompt: { pom: renderPom(options.prompt) } };
  if (options.postPrompt) body.post_prompt = { text: options.postPrompt };
  if (options.postPromptUrl) body.post_prompt_url = options.postPromptUrl;
  const swaig: Record<string, unknown> = {};
  if (options.functions.length > 0) {
    swaig.functions = options.functions;
    if (options.defaultWebHookUrl) swaig.defaults = { web_hook_url: options.defaultWebHookUrl };
  }
  body.SWAIG = swaig;
  body.params = { ...(options.params ?? {}) };
  if (options.hints?.length) body.hints = [...options.hints];
  if (options.languages?.length) body.languages = options.languages.map(({ name, code, voice }) => ({ name, code, voice }));
  if (options.pronounce?.length) body.pronounce = options.pronounce;
  if (options.globalData && Object.keys(options.globalData).length > 0) body.global_data = options.globalData;
  return { ai: body };
}
