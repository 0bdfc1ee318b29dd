import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UNKNOWN_JURISDICTION } from '#shared/consent/jurisdictions.js';
import {
  AFFIRMATIVE_ANSWERS,
  classifyConsentAnswer,
  mayRecord,
  normalizeConsentAnswer,
  POLICY_VERSION,
} from '#shared/consent/policy.js';
import { newConsentRecord, nextConsent } from '#shared/consent/transitions.js';
import { ConsentConflictError, type ConsentRecord, type ConsentState } from '#shared/consent/types.js';

const AFFIRMATIVES = [...AFFIRMATIVE_ANSWERS];

/** The category an affirmative grants with: our own entry, spaces as "-", apostrophes dropped. */
const categoryOf = (entry: string) => `affirmative:${entry.replace(/'/g, '').replace(/ /g, '-')}`;

const CATEGORY = /^(affirmative:[a-z-]+|declined:(hidden-character|unexpected-character|empty|question|not-affirmative))$/;

/** What an invalid UTF-8 byte inside the request body becomes once decoded: U+FFFD. */
const withInvalidByte = (before: string, after: string) =>
  new TextDecoder().decode(Uint8Array.from([...Buffer.from(before), 0xff, ...Buffer.from(after)]));

// --- perturbation pools -------------------------------------------------------------------------

/** Whitespace that is ordinary, or that NFKC turns into an ordinary space. */
const SPACES = [' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2003', '\u3000'];
/** Punctuation that may surround an answer ("?" excluded: a questioning "yes?" declines). */
const PUNCTUATION = [
  '.',
  '!',
  ',',
  '...',
  '\u2026',
  '"',
  '\u201c',
  '\u201d',
  "'",
  '\u2018',
  '\u2019',
  '-',
  '\u2013',
  '\u2014',
  ';',
  ':',
  '\uff01',
  '\uff0e',
];
/** What may stand between the words of a multi-word affirmative. */
const INNER = [' ', '  ', ', ', ' - ', '... ', '. ', '! ', '\t', ' \n ', '-', '\u2014', '\u00a0', '\u3000'];

/** Zero-width, format, control, private-use, unassigned, separator characters and U+FFFD. */
const HIDDEN = [
  '\u200b', // zero-width space
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u2060', // word joiner
  '\ufeff', // BOM / zero-width no-break space
  '\u00ad', // soft hyphen
  '\u180e', // Mongolian vowel separator
  '\u200e', // left-to-right mark
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u061c', // Arabic letter mark
  '\u{e0001}', // language tag
  '\u{e0079}', // tag "y"
  '\u0000',
  '\u0007',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u007f',
  '\u0085', // next line (Cc)
  '\u2028', // line separator
  '\u2029', // paragraph separator
  '\ue000', // private use
  '\u{f0000}', // supplementary private use
  '\u0378', // unassigned
  '\u{e0080}', // unassigned
  '\ud800', // lone surrogate
  '\udc00', // lone surrogate
  '\ufffd', // replacement character: an invalid UTF-8 byte
];

/** Look-alikes NFKC keeps as they are (not ASCII): Cyrillic, Greek, IPA, primes, marks, emoji. */
const HOMOGLYPHS: Record<string, string[]> = {
  a: ['\u0430', '\u03b1', '\u0251'],
  e: ['\u0435', '\u03b5', '\u0451'],
  o: ['\u043e', '\u03bf', '\u00f8', '\u00f6'],
  y: ['\u0443', '\u03b3', '\u00fd', '\u04af'],
  s: ['\u0455', '\u0161'],
  p: ['\u0440', '\u03c1'],
  k: ['\u043a', '\u03ba'],
  h: ['\u04bb'],
  i: ['\u0456', '\u0131', '\u03b9'],
  t: ['\u0442', '\u03c4'],
  n: ['\u03b7', '\u0578'],
  u: ['\u03c5', '\u057d'],
  r: ['\u0433'],
  g: ['\u0261'],
  d: ['\u0501'],
  f: ['\u0192'],
  "'": ['\u2032', '\u02bc', '\u00b4', '`'],
};
const OTHER_UNREADABLE = [
  '\u0301', // combining acute
  '\u0336', // combining long stroke overlay
  '\u20e0', // combining prohibition sign
  '\ufe0f', // variation selector
  '\u{1f44d}', // thumbs up
  '\u2713', // check mark
  '\u2032', // prime
  '\u2033', // double prime (NFKC: two primes)
  '\u00e9',
  '\u0410', // Cyrillic A
  '\u0395', // Greek Epsilon
  '\u4e00',
];
const UNREADABLE = [
  ...HIDDEN,
  ...Object.values(HOMOGLYPHS)
    .flat()
    .filter((c) => c !== '`'),
  ...OTHER_UNREADABLE,
];

/** Randomly cased, surrounded and spaced spellings of an affirmative: all must still grant. */
const decorated = (entry: string) =>
  fc
    .record({
      upper: fc.array(fc.boolean(), { minLength: entry.length, maxLength: entry.length }),
      before: fc.array(fc.constantFrom(...SPACES, ...PUNCTUATION), { maxLength: 3 }),
      after: fc.array(fc.constantFrom(...SPACES, ...PUNCTUATION), { maxLength: 3 }),
      inner: fc.constantFrom(...INNER),
      apostrophe: fc.constantFrom("'", '\u2019', '\uff07'),
      width: fc.constantFrom('ascii', 'full-width', 'math-bold'),
    })
    .map(({ upper, before, after, inner, apostrophe, width }) => {
      const cased = [...entry].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
      const shaped = [...cased]
        .map((c) => {
          if (c === "'") return apostrophe;
          if (c === ' ' || width === 'ascii') return c;
          if (width === 'full-width') return String.fromCodePoint(c.codePointAt(0)! + 0xfee0);
          const lower = c.toLowerCase();
          const base = c === lower ? 0x1d41a : 0x1d400; // MATHEMATICAL BOLD small / capital
          return String.fromCodePoint(base + lower.charCodeAt(0) - 0x61);
        })
        .join('')
        .split(' ')
        .join(inner);
      return `${before.join('')}${shaped}${after.join('')}`;
    });

const anyDecoratedAffirmative = fc
  .constantFrom(...AFFIRMATIVES)
  .chain((entry) => decorated(entry).map((text) => ({ entry, text })));

// ------------------------------------------------------------------------------------------------

describe('classifyConsentAnswer: what grants', () => {
  it('the affirmative set is small, and every entry is already in normal form', () => {
    expect(AFFIRMATIVES.length).toBeLessThanOrEqual(12);
    for (const entry of AFFIRMATIVES) expect(normalizeConsentAnswer(entry)).toEqual({ text: entry });
  });

  it.each([
    ['yes', 'affirmative:yes'],
    ['Yes.', 'affirmative:yes'],
    ['YES!', 'affirmative:yes'],
    ['  yes  ', 'affirmative:yes'],
    ['\tyes\n', 'affirmative:yes'],
    ['"Yes."', 'affirmative:yes'],
    ['yes\u2026', 'affirmative:yes'],
    ['okay', 'affirmative:okay'],
    ['Okay.', 'affirmative:okay'],
    ['OK', 'affirmative:ok'],
    ['ok!', 'affirmative:ok'],
    ['sure', 'affirmative:sure'],
    ['\u201cSure.\u201d', 'affirmative:sure'],
    ['Fine.', 'affirmative:fine'],
    ['Yeah', 'affirmative:yeah'],
    ['Yep.', 'affirmative:yep'],
    ['Yes please', 'affirmative:yes-please'],
    ['yes, please.', 'affirmative:yes-please'],
    ['Sure thing!', 'affirmative:sure-thing'],
    ["That's fine.", 'affirmative:thats-fine'],
    ['that\u2019s fine', 'affirmative:thats-fine'], // curly apostrophe, as ASR often writes it
    ["Yes, that's fine.", 'affirmative:yes-thats-fine'],
    ['yes \u2014 that\u2019s fine', 'affirmative:yes-thats-fine'],
    ['Go ahead.', 'affirmative:go-ahead'],
    ['\uff39\uff25\uff33', 'affirmative:yes'], // full-width YES
    ['\uff4f\uff4b\uff41\uff59\uff01', 'affirmative:okay'], // full-width okay!
    ['\u{1d432}\u{1d41e}\u{1d42c}', 'affirmative:yes'], // mathematical bold yes
    ['\ufb01ne', 'affirmative:fine'], // "fi" ligature
  ])('%j → granted (%s)', (utterance, category) => {
    expect(classifyConsentAnswer(utterance)).toEqual({ decision: 'granted', category });
  });

  it('property: every affirmative grants, whatever its case, surrounding punctuation, spacing and width', () => {
    fc.assert(
      fc.property(anyDecoratedAffirmative, ({ entry, text }) => {
        expect(classifyConsentAnswer(text)).toEqual({ decision: 'granted', category: categoryOf(entry) });
      }),
      { numRuns: 3000 },
    );
  });
});

describe('classifyConsentAnswer: what declines', () => {
  // Issue #11's examples: all were stored as granted under consent-policy/2025-1.
  it.each([
    ['Yes, I do mind', 'declined:not-affirmative'],
    ["okay, I'm opting out", 'declined:not-affirmative'],
    ['ok, I changed my mind', 'declined:not-affirmative'],
    ['sure, but please turn the recorder off', 'declined:not-affirmative'],
    ['yeah, uh-uh', 'declined:not-affirmative'],
    ['okay, nein', 'declined:not-affirmative'],
    ['okay, n\u200bo', 'declined:hidden-character'], // zero-width space inside "no"
    ['n\u200bo', 'declined:hidden-character'],
    ['sure, n\u00ado', 'declined:hidden-character'], // soft hyphen inside "no"
    ['yes, n\u043e', 'declined:unexpected-character'], // Cyrillic о
    ['n\u043e', 'declined:unexpected-character'],
    ['ok, I don\u2032t', 'declined:unexpected-character'], // prime as apostrophe
    ['don\u2032t', 'declined:unexpected-character'],
    [withInvalidByte('okay, n', 'o'), 'declined:hidden-character'], // invalid UTF-8 byte → U+FFFD
    [withInvalidByte('n', 'o'), 'declined:hidden-character'],
  ])('issue #11 example %j → declined (%s)', (utterance, category) => {
    expect(classifyConsentAnswer(utterance)).toEqual({ decision: 'declined', category });
  });

  it.each([
    // A yes-word with a condition, a correction, or a second clause.
    "yes, but don't record me",
    'yes if you must',
    'yes, as long as you delete it after',
    'sure, after the payment',
    'yes for training only',
    'fine by me but not my husband',
    'go ahead and hang up',
    "yes please don't",
    "yes, I'm opting out",
    'yes, please turn it off',
    'yes stop recording',
    'yes... actually no',
    'yes, I mean no',
    'no, I mean yes',
    "yes, that's not fine",
    "that's fine, no",
    'sure thing not',
    "go ahead, I don't care, no",
    'yes my card is 4111 1111 1111 1111',
    // Sarcasm, grudging, repetition.
    'yeah right',
    'sure, whatever, no',
    'fine, whatever',
    'of course not',
    'yes yes',
    'ok ok',
    'yes no',
    'no yes',
    'YES NO',
    'yes\nno',
    'yes\tno',
    'yes-no',
    'not yes',
    // Plain and polite refusals, oddly phrased.
    'no',
    'nope',
    'nah',
    'no thanks',
    "that's okay", // the polite refusal ("that's okay, no need")
    "it's okay, thanks",
    "I'm good, thanks",
    "I'd rather you didn't",
    "I'd prefer not",
    'not really',
    'absolutely not',
    'do not record',
    'stop',
    'n o',
    "I don't mind", // consent in spirit, but a negation in the words: doubt declines
    // Not a word of the set: misspellings, spelling out, leetspeak, backchannels.
    'y e s',
    'y.e.s',
    'yess',
    'yesss',
    'ye',
    'yea',
    'okey',
    'okayish',
    'okay-ish',
    'yesterday',
    'y3s',
    '0k',
    'uh huh',
    'mm-hmm',
    'affirmative',
    'alright',
    // Questions back.
    'yes?',
    'okay?',
    'why?',
    'wait, what?',
    "That's fine? No.",
    'is it okay if I say no',
    // Not words at all.
    '\u{1f44d}',
    'yes \u{1f44d}',
    'yes :)',
    '<yes>',
    '(yes)',
    // Other languages: the agent speaks English, so an answer in another language is one we do
    // not read reliably, and doubt declines.
    's\u00ed',
    's\u00ed, claro',
    'si',
    'ja',
    'ja, das ist okay',
    'oui',
    "oui, d'accord",
    'da',
    '\u0434\u0430', // да
    '\u03bd\u03b1\u03b9', // ναι
    '\u306f\u3044', // はい
    '\u597d\u7684', // 好的
  ])('%j → declined', (utterance) => {
    expect(classifyConsentAnswer(utterance).decision).toBe('declined');
  });

  it.each([
    ['', 'declined:empty'],
    ['   ', 'declined:empty'],
    ['...', 'declined:empty'],
    ['\u3000', 'declined:empty'],
    ['?', 'declined:question'],
  ])('%j → %s: silence is not consent', (utterance, category) => {
    expect(classifyConsentAnswer(utterance)).toEqual({ decision: 'declined', category });
  });

  it('property: any zero-width, format, control, look-alike or U+FFFD character in or around an affirmative declines', () => {
    fc.assert(
      fc.property(anyDecoratedAffirmative, fc.constantFrom(...UNREADABLE), fc.nat(), ({ text }, char, at) => {
        const i = at % (text.length + 1);
        const answer = classifyConsentAnswer(`${text.slice(0, i)}${char}${text.slice(i)}`);
        expect(answer.decision).toBe('declined');
        expect(answer.category).toMatch(/^declined:(hidden-character|unexpected-character)$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: a letter of an affirmative swapped for a look-alike (Cyrillic, Greek, prime…) declines', () => {
    const swapped = fc
      .constantFrom(...AFFIRMATIVES)
      .chain((entry) => {
        const positions = [...entry].flatMap((c, i) => (HOMOGLYPHS[c] ? [i] : []));
        return fc.tuple(fc.constant(entry), fc.constantFrom(...positions), fc.nat());
      })
      .map(([entry, i, pick]) => {
        const options = HOMOGLYPHS[entry[i]!]!;
        return `${entry.slice(0, i)}${options[pick % options.length]}${entry.slice(i + 1)}`;
      });
    fc.assert(
      fc.property(swapped, (text) => {
        expect(classifyConsentAnswer(text).decision).toBe('declined');
      }),
      { numRuns: 2000 },
    );
  });

  /** A word that is not blank once normalized: refusals, other words, letters and digits, any graphemes. */
  const word = fc
    .oneof(
      fc.constantFrom('no', 'not', "don't", 'nope', 'never', 'stop', 'off', 'mind', 'but', 'if', 'right', 'whatever'),
      fc.constantFrom('maybe', 'thanks', 'please', 'thing', 'yes', 'okay', 'fine', 'ahead', 'later', 'nein', 'non'),
      fc.stringMatching(/^[A-Za-z0-9']{1,12}$/),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
    )
    .filter((w) => {
      const normalized = normalizeConsentAnswer(w);
      return !('text' in normalized) || normalized.text.length > 0;
    });
  const separator = fc.constantFrom(...INNER, ' ', ', ');

  it('property: an affirmative with any word before or after it declines (unless the two make another entry)', () => {
    fc.assert(
      fc.property(anyDecoratedAffirmative, word, separator, fc.boolean(), ({ entry, text }, extra, sep, prepend) => {
        const extraNorm = normalizeConsentAnswer(extra);
        // "yes" + "please", "sure" + "thing", "yes" + "that's fine" are entries of their own.
        if ('text' in extraNorm)
          fc.pre(!AFFIRMATIVE_ANSWERS.has(prepend ? `${extraNorm.text} ${entry}` : `${entry} ${extraNorm.text}`));
        const answer = classifyConsentAnswer(prepend ? `${extra}${sep}${text}` : `${text}${sep}${extra}`);
        expect(answer.decision).toBe('declined');
      }),
      { numRuns: 3000 },
    );
  });

  it('property: refusals, however they open, close or are cased, never grant', () => {
    const opener = fc.constantFrom('', 'yes', 'okay', 'ok', 'sure', 'yeah', 'fine', 'well', 'um', 'honestly', "that's fine");
    const core = fc.constantFrom(
      'no',
      'nope',
      'nah',
      'not really',
      "I'd rather not",
      "don't record",
      'please do not record me',
      'I do mind',
      "I'm opting out",
      'I opt out',
      'turn it off',
      'turn the recorder off',
      "please don't",
      'absolutely not',
      'no way',
      'I changed my mind',
      'uh-uh',
      'nein',
      'non',
      'never',
      'stop',
      'not okay',
      'not fine',
      'not sure',
    );
    const closer = fc.constantFrom('', 'thanks', 'please', 'sorry', 'yes', 'okay', 'fine');
    fc.assert(
      fc.property(opener, core, closer, separator, separator, fc.boolean(), (a, b, c, s1, s2, upper) => {
        const text = `${a}${a ? s1 : ''}${b}${c ? s2 : ''}${c}`;
        const answer = classifyConsentAnswer(upper ? text.toUpperCase() : text);
        expect(answer.decision).toBe('declined');
      }),
      { numRuns: 2000 },
    );
  });

  it('property: the decision is granted exactly when the normalized answer is in the set; the category is ours', () => {
    const anyText = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      anyDecoratedAffirmative.map(({ text }) => text),
      fc
        .tuple(anyDecoratedAffirmative, fc.string({ unit: 'binary', maxLength: 2 }), fc.nat())
        .map(([{ text }, extra, at]) => `${text.slice(0, at % (text.length + 1))}${extra}${text.slice(at % (text.length + 1))}`),
    );
    fc.assert(
      fc.property(anyText, fc.constantFrom('', ' 4111 1111 1111 1111', ' 123-45-6789'), (text, pii) => {
        const answer = classifyConsentAnswer(`${text}${pii}`);
        const normalized = normalizeConsentAnswer(`${text}${pii}`);
        const inSet = 'text' in normalized && AFFIRMATIVE_ANSWERS.has(normalized.text);
        expect(answer.decision === 'granted').toBe(inSet);
        expect(answer.category).toMatch(CATEGORY);
        expect(answer.category).not.toMatch(/\d/);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('a decline stays final', () => {
  const answers = fc.oneof(
    fc.constantFrom('yes', 'okay', 'sure', "that's fine", 'go ahead'),
    fc.constantFrom('no', 'yes, I do mind', 'okay, n\u200bo', 'n\u043e', 'maybe', ''),
    fc.string(),
  );

  it('property: after a declined or withdrawn answer no later answer makes the record granted', () => {
    fc.assert(
      fc.property(fc.array(answers, { minLength: 1, maxLength: 10 }), (sequence) => {
        const now = new Date('2026-01-01T00:00:00.000Z');
        let record: ConsentRecord = newConsentRecord('c', { jurisdiction: UNKNOWN_JURISDICTION }, now, 30);
        let refused = false;
        for (const utterance of sequence) {
          const { decision, category } = classifyConsentAnswer(utterance);
          // As the get_recording_consent tool does: a "no" after a "yes" is a withdrawal.
          const state = decision === 'granted' ? 'granted' : record.state === 'granted' ? 'withdrawn' : 'declined';
          try {
            record = nextConsent(record, state, { category }, now, 30) ?? record;
          } catch (error) {
            expect(error).toBeInstanceOf(ConsentConflictError);
            expect(refused).toBe(true);
          }
          if (decision === 'declined') refused = true;
          if (refused) {
            expect(record.state === 'declined' || record.state === 'withdrawn').toBe(true);
            expect(mayRecord(record)).toBe(false);
          }
          expect(record.policyVersion).toBe(POLICY_VERSION);
        }
      }),
    );
  });
});

describe('mayRecord', () => {
  const record = (state: ConsentState): ConsentRecord => ({
    callId: 'c',
    state,
    jurisdiction: 'US-CA',
    rule: 'all-party',
    policyVersion: POLICY_VERSION,
    updatedAt: '2025-01-01T00:00:00.000Z',
    version: 1,
    expiresAt: 1,
  });

  it.each([
    ['granted', true],
    ['pending', false],
    ['declined', false],
    ['withdrawn', false],
  ] as const)('state %s → %s', (state, allowed) => {
    expect(mayRecord(record(state))).toBe(allowed);
  });

  it('no record (unknown consent) → false', () => {
    expect(mayRecord(undefined)).toBe(false);
  });
});
