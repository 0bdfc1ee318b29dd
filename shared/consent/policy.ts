import type { ConsentRecord } from './types.js';

/**
 * Version of the consent rules below (the affirmative set, the character rules). Stored with
 * every consent record so an auditor can tell which rules turned an answer into `granted`/`declined`.
 * 2025-1: a yes-word and no negation word granted. 2026-1: only an exact affirmative grants.
 */
export const POLICY_VERSION = 'consent-policy/2026-1';

/**
 * The outcome of classifying a caller's answer to the recording question. `category` names the
 * rule that decided (e.g. 'affirmative:yes', 'declined:not-affirmative') and is built only from
 * our own lists, so it is safe to store and log: never the raw text.
 */
export type ConsentAnswer = { decision: 'granted' | 'declined'; category: string };

/**
 * The only answers that grant, as {@link normalizeConsentAnswer} leaves them: lower case, single
 * spaces, no surrounding punctuation. The whole answer must be one of these; a yes-word inside a
 * longer answer ("yes, I do mind", "okay, I'm opting out", "yeah right") is not consent.
 *
 * The question the agent asks is "Is it okay if we record this call?". Each entry is a complete,
 * unconditional answer to it with no other reading:
 * - 'yes', 'okay', 'sure', 'fine': the seed's words, each a full answer on its own;
 * - 'ok': how transcripts spell "okay" as often as not; 'yeah', 'yep': spoken "yes", nothing else;
 * - 'yes please': a trailing "please" only strengthens a yes; it is the one suffix allowed. Not
 *   "thanks": "no thanks" and "I'm good, thanks" are how people decline, so it adds doubt;
 * - 'sure thing': an idiom that only ever means yes;
 * - "that's fine", "yes, that's fine": answer "is it okay" directly. Not "that's okay" or "it's
 *   okay": those are the common polite refusal ("that's okay, no need");
 * - 'go ahead': the usual way to give the permission that was asked for.
 * Deliberately absent: "alright" (often just "I heard you"), "of course"/"yeah right" (sarcasm),
 * repetitions ("yes yes"), anything with a condition or a second clause, other languages (the
 * agent speaks English; an answer in a language we do not read is doubt, and doubt declines).
 */
export const AFFIRMATIVE_ANSWERS: ReadonlySet<string> = new Set([
  'yes',
  'okay',
  'sure',
  'fine',
  'ok',
  'yeah',
  'yep',
  'yes please',
  'sure thing',
  "that's fine",
  "yes that's fine",
  'go ahead',
]);

/**
 * Characters that must never be in an answer: control (except tab and line breaks), format
 * (zero-width space/joiner, soft hyphen, bidi marks, tag characters, BOM), private-use,
 * unassigned, lone surrogates, line/paragraph separators, and U+FFFD (what an invalid UTF-8
 * byte decodes to). Each can hide a "no" from a word match; none is in a transcript of speech.
 */
const HIDDEN_CHARACTER = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\uFFFD]/u;

/**
 * After NFKC every character must be plain ASCII (letters, digits, whitespace, basic punctuation)
 * or one of the typographic quotes and dashes transcripts use. NFKC turns full-width and other
 * compatibility forms of Latin letters into ASCII; everything else non-ASCII is left as it is and
 * refused here: Cyrillic and Greek look-alikes, accented letters, combining marks, primes, emoji.
 */
const ALLOWED_AFTER_NFKC = /^[A-Za-z0-9 \t\n\r.,!?;:'"\-\u2018\u2019\u201c\u201d\u2013\u2014]*$/;

/** Inner and surrounding separators: whitespace and punctuation, but not "?" and not the apostrophe. */
const SEPARATORS = /[\s.,!;:"-]+/;

/** An answer ready to compare, or why it is not read at all. */
type NormalizedAnswer = { text: string } | { refused: 'hidden-character' | 'unexpected-character' };

/**
 * The answer as compared with {@link AFFIRMATIVE_ANSWERS}: NFKC, lower case, typographic quotes
 * and dashes made ASCII, surrounding punctuation and whitespace trimmed, each inner run of
 * whitespace and punctuation (",", ".", "!", "-"…) made one space, quotes around a word dropped.
 * A "?" is kept, so a questioning "yes?" never matches: transcripts mark a rising "yes?" or
 * "okay?" that way, and it asks back rather than agrees. `{refused}` when the answer holds a
 * character we refuse to read (see {@link HIDDEN_CHARACTER}, {@link ALLOWED_AFTER_NFKC}). Lower
 * casing comes after the ASCII check, so it is exact case folding.
 */
export function normalizeConsentAnswer(utterance: string): NormalizedAnswer {
  if (HIDDEN_CHARACTER.test(utterance)) return { refused: 'hidden-character' };
  const nfkc = utterance.normalize('NFKC');
  if (HIDDEN_CHARACTER.test(nfkc)) return { refused: 'hidden-character' };
  if (!ALLOWED_AFTER_NFKC.test(nfkc)) return { refused: 'unexpected-character' };
  const text = nfkc
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .split(SEPARATORS)
    .map((word) => word.replace(/^'+|'+$/g, ''))
    .filter((word) => word.length > 0)
    .join(' ');
  return { text };
}

/**
 * Classify the caller's answer to "Is it okay if we record this call?".
 *
 * Granted only when the whole normalized answer is in {@link AFFIRMATIVE_ANSWERS}
 * ('affirmative:<entry>', spaces as "-", apostrophes dropped). Everything else is declined:
 * - 'declined:hidden-character' / 'declined:unexpected-character': a character we refuse to read;
 * - 'declined:empty': nothing but whitespace and punctuation (silence is not consent);
 * - 'declined:question': the answer asks something back ("yes?", "why?");
 * - 'declined:not-affirmative': any other words, refusals and yes-with-anything alike.
 */
export function classifyConsentAnswer(utterance: string): ConsentAnswer {
  const normalized = normalizeConsentAnswer(utterance);
  if ('refused' in normalized) return { decision: 'declined', category: `declined:${normalized.refused}` };
  const { text } = normalized;
  if (AFFIRMATIVE_ANSWERS.has(text)) {
    return { decision: 'granted', category: `affirmative:${text.replace(/'/g, '').replace(/ /g, '-')}` };
  }
  if (text.length === 0) return { decision: 'declined', category: 'declined:empty' };
  if (text.includes('?')) return { decision: 'declined', category: 'declined:question' };
  return { decision: 'declined', category: 'declined:not-affirmative' };
}

/** Recording is allowed only with consent stored as `granted`; missing or unknown means no. */
export function mayRecord(record: ConsentRecord | undefined): boolean {
  return record?.state === 'granted';
}
