import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyConsentAnswer, consentWords, mayRecord, POLICY_VERSION } from '#shared/consent/policy.js';
import type { ConsentRecord, ConsentState } from '#shared/consent/types.js';

describe('classifyConsentAnswer', () => {
  it.each([
    ['yes', 'affirmative:yes'],
    ['Yes.', 'affirmative:yes'],
    ['YES!', 'affirmative:yes'],
    ['yes please', 'affirmative:yes'],
    ['Yeah', 'affirmative:yeah'],
    ['yep', 'affirmative:yep'],
    ['okay', 'affirmative:okay'],
    ['OK', 'affirmative:ok'],
    ['ok.', 'affirmative:ok'],
    ['Okay, go on', 'affirmative:okay'],
    ['sure', 'affirmative:sure'],
    ["Sure, that's fine.", 'affirmative:sure'],
    ['fine', 'affirmative:fine'],
    ['That is fine by me', 'affirmative:fine'],
    ['alright', 'affirmative:alright'],
    ['all right', 'affirmative:all right'],
    ['Go ahead!', 'affirmative:go ahead'],
    ['of course', 'affirmative:of course'],
    ['  yes  ', 'affirmative:yes'],
  ])('%j → granted (%s)', (utterance, category) => {
    expect(classifyConsentAnswer(utterance)).toEqual({ decision: 'granted', category });
  });

  it.each([
    ['no', 'negation:no'],
    ['No.', 'negation:no'],
    ['NO!', 'negation:no'],
    ['no thanks', 'negation:no'],
    ['not okay', 'negation:not'],
    ['not fine', 'negation:not'],
    ['no, not okay', 'negation:no'],
    ["I'd rather not", 'negation:not'],
    ["I don't want that", 'negation:dont'],
    ['I don’t agree', 'negation:dont'], // curly apostrophe, as ASR often produces
    ['do not record me', 'negation:not'],
    ['nope', 'negation:nope'],
    ["Yes, but don't record", 'negation:dont'],
    ['okay... actually no', 'negation:no'],
    ["that isn't fine", 'negation:isnt'],
    ["I can't agree", 'negation:cant'],
    ['never', 'negation:never'],
    ['I want to opt out', 'negation:opt out'],
    ['sure, why not', 'negation:not'],
  ])('%j → declined (%s): negations win over agreement words', (utterance, category) => {
    expect(classifyConsentAnswer(utterance)).toEqual({ decision: 'declined', category });
  });

  it.each([
    ['maybe', 'hedge:maybe'],
    ['I guess so, sure', 'hedge:guess'],
    ['what?', 'hedge:what'],
    ['hmm okay', 'hedge:hmm'],
  ])('%j → declined (%s): hesitation is not consent', (utterance, category) => {
    expect(classifyConsentAnswer(utterance)).toEqual({ decision: 'declined', category });
  });

  it.each(['', '   ', '...', 'tell me about my bill', 'yesterday', 'okayish', 'fineness', 'unsure'])(
    '%j → declined: unclear (words must match whole, not as substrings)',
    (utterance) => {
      expect(classifyConsentAnswer(utterance).decision).toBe('declined');
    },
  );

  it('yes/no words inside other words do not count ("nobody", "notable" are not negations)', () => {
    expect(classifyConsentAnswer('yes, nobody minds').decision).toBe('granted');
    expect(classifyConsentAnswer('sure, notably').decision).toBe('granted');
  });

  const negation = fc.constantFrom('no', 'not', "don't", 'No', 'NOT', "DON'T", 'don’t', 'nope', 'never');
  const filler = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom('yes', 'okay', 'sure fine', 'yes please'),
  );

  it('property: any answer containing a negation as a separate word is never granted', () => {
    fc.assert(
      fc.property(filler, negation, filler, (before, word, after) => {
        const answer = classifyConsentAnswer(`${before} ${word} ${after}`);
        expect(answer.decision).toBe('declined');
        expect(answer.category).toMatch(/^negation:/);
      }),
      { numRuns: 2000 },
    );
  });

  it("property: the category is built from our vocabulary only, never from the caller's text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme' })),
        fc.constantFrom('', ' yes', ' no', ' 4111 1111 1111 1111'),
        (text, extra) => {
          const { category } = classifyConsentAnswer(`${text}${extra}`);
          expect(category).toMatch(/^(unclear|(affirmative|negation|hedge):[a-z]+( [a-z]+)?)$/);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('property: case and punctuation do not change the decision', () => {
    const word = fc.constantFrom('yes', 'okay', 'ok', 'sure', 'fine', 'no', 'not', 'maybe', 'please', 'that', 'is', 'thanks');
    const punctuation = fc.constantFrom('', '.', ',', '!', '?', '...', ' -', ';');
    fc.assert(
      fc.property(fc.array(fc.tuple(word, punctuation, fc.boolean()), { minLength: 1, maxLength: 6 }), (parts) => {
        const plain = parts.map(([w]) => w).join(' ');
        const decorated = parts.map(([w, p, upper]) => `${upper ? w.toUpperCase() : w}${p}`).join(' ');
        expect(classifyConsentAnswer(decorated)).toEqual(classifyConsentAnswer(plain));
      }),
    );
  });
});

describe('consentWords', () => {
  it('lower-cases, drops apostrophes and splits on everything else', () => {
    expect(consentWords("Sure, THAT'S fine!  Don’t-worry")).toEqual(['sure', 'thats', 'fine', 'dont', 'worry']);
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
