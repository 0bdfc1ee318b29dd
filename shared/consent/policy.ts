import type { ConsentRecord } from './types.js';

/**
 * Version of the consent rules below (word lists, tie-breaks). Stored with every consent record
 * so an auditor can tell which rules turned an answer into `granted`/`declined`.
 */
export const POLICY_VERSION = 'consent-policy/2025-1';

/**
 * The outcome of classifying a caller's answer to the recording question. `category` names the
 * rule that matched (e.g. 'affirmative:yes', 'negation:no', 'hedge:maybe', 'unclear') and is
 * built only from our own word lists, so it is safe to store and log: never the raw text.
 */
export type ConsentAnswer = { decision: 'granted' | 'declined'; category: string };

/** Single words that agree to recording. */
const AFFIRMATIVE_WORDS: ReadonlySet<string> = new Set([
  'yes',
  'yeah',
  'yea',
  'yep',
  'yup',
  'ok',
  'okay',
  'sure',
  'fine',
  'alright',
  'absolutely',
  'certainly',
  'definitely',
  'agree',
  'agreed',
  'consent',
  'accept',
  'accepted',
]);

/** Multi-word agreements, matched on the normalized word sequence. */
const AFFIRMATIVE_PHRASES: readonly string[] = ['all right', 'go ahead', 'of course', 'that works'];

/**
 * Words that refuse, or negate whatever agreement is near them. Any of these anywhere in the
 * answer means declined: "not fine" and "yes, but don't record" must never become consent.
 */
const NEGATION_WORDS: ReadonlySet<string> = new Set([
  'no',
  'not',
  'nope',
  'nah',
  'never',
  'none',
  'nothing',
  'neither',
  'nor',
  'negative',
  'dont',
  'cannot',
  'cant',
  'wont',
  'refuse',
  'refused',
  'decline',
  'declined',
  'deny',
  'denied',
  'disagree',
  'object',
  'stop',
  'without',
]);

/** Multi-word refusals whose words are harmless alone. */
const NEGATION_PHRASES: readonly string[] = ['opt out'];

/** Uncertainty: neither a yes nor a clear no, so (being unclear) it is a decline. */
const HEDGE_WORDS: ReadonlySet<string> = new Set([
  'maybe',
  'perhaps',
  'possibly',
  'probably',
  'unsure',
  'depends',
  'guess',
  'suppose',
  'dunno',
  'wait',
  'hmm',
  'why',
  'what',
]);

/**
 * Lower-case words, with apostrophes dropped ("don't" → "dont") and every other non-letter
 * treated as a separator, so case, punctuation and curly quotes do not change the outcome.
 */
export function consentWords(utterance: string): string[] {
  return utterance
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['\u2018\u2019\u02bc`\u00b4]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

function findPhrase(words: readonly string[], phrases: readonly string[]): string | undefined {
  const joined = ` ${words.join(' ')} `;
  return phrases.find((p) => joined.includes(` ${p} `));
}

/** "isn't", "wouldn't", "shouldn't"… (apostrophe already dropped) all negate, whatever the verb. */
const CONTRACTED_NEGATIONS: ReadonlySet<string> = new Set([
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'doesnt',
  'didnt',
  'hasnt',
  'havent',
  'hadnt',
  'wouldnt',
  'shouldnt',
  'couldnt',
  'mustnt',
  'neednt',
  'aint',
  'shant',
  'mightnt',
]);

/**
 * Classify the caller's answer to "may we record this call?".
 *
 * Rules, in order (the stricter reading always wins):
 * 1. any negation word or phrase → declined ('negation:<word>');
 * 2. any hedge → declined ('hedge:<word>');
 * 3. an agreement word or phrase → granted ('affirmative:<word>');
 * 4. anything else, including silence → declined ('unclear').
 */
export function classifyConsentAnswer(utterance: string): ConsentAnswer {
  const words = consentWords(utterance);

  const negation = words.find((w) => NEGATION_WORDS.has(w) || CONTRACTED_NEGATIONS.has(w)) ?? findPhrase(words, NEGATION_PHRASES);
  if (negation !== undefined) return { decision: 'declined', category: `negation:${negation}` };

  const hedge = words.find((w) => HEDGE_WORDS.has(w));
  if (hedge !== undefined) return { decision: 'declined', category: `hedge:${hedge}` };

  const affirmative = words.find((w) => AFFIRMATIVE_WORDS.has(w)) ?? findPhrase(words, AFFIRMATIVE_PHRASES);
  if (affirmative !== undefined) return { decision: 'granted', category: `affirmative:${affirmative}` };

  return { decision: 'declined', category: 'unclear' };
}

/** Recording is allowed only with consent stored as `granted`; missing or unknown means no. */
export function mayRecord(record: ConsentRecord | undefined): boolean {
  return record?.state === 'granted';
}
