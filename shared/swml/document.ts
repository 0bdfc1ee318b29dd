/** One SWML verb: a single-key object such as `{ answer: {} }`. */
export type SwmlVerb = Record<string, unknown>;

/** A whole SWML document as SignalWire fetches it (and as SWAIG `SWML` actions carry it). */
export interface SwmlDocument {
  version: '1.0.0';
  sections: { main: SwmlVerb[]; [name: string]: SwmlVerb[] };
}

/** The only SWML version the platform and the Python SDK emit. */
const SWML_VERSION = '1.0.0' as const;

/**
 * Build a SWML document. Key order is `version`, then `sections` with `main` first: the order the
 * Python SDK's `record_call`/`pay` helpers use, so our JSON is byte-comparable with theirs.
 */
export function swmlDocument(main: SwmlVerb[], extraSections?: Record<string, SwmlVerb[]>): SwmlDocument {
  return { version: SWML_VERSION, sections: { main, ...(extraSections ?? {}) } };
}
