import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  effectiveRecordingMode,
  JURISDICTIONS,
  jurisdictionFor,
  NANP_AREA_CODES,
  UNKNOWN_JURISDICTION,
} from '#shared/consent/jurisdictions.js';
import { JURISDICTION_TABLE } from '#shared/consent/jurisdiction-table.js';
import { AREA_CODES_BY_JURISDICTION } from '#shared/consent/nanp-area-codes.js';
import { callerHash, normalizeE164 } from '#shared/consent/caller-hash.js';
import type { ConsentRule } from '#shared/consent/types.js';

/**
 * Written out independently of the table, so a changed rule or citation fails here and gets a
 * second look. [code, rule, a number from there, a fragment of the citation]
 */
const EXPECTED: ReadonlyArray<[string, ConsentRule | 'unknown', string, string]> = [
  ['US-CA', 'all-party', '+1 415 555 0100', 'Penal Code § 632'],
  ['US-CT', 'all-party', '+1 203 555 0100', '52-570d'],
  ['US-DE', 'all-party', '+1 302 555 0100', '§ 1335'],
  ['US-FL', 'all-party', '+1 305 555 0100', '934.03'],
  ['US-IL', 'all-party', '+1 312 555 0100', '720 ILCS 5/14-2'],
  ['US-MD', 'all-party', '+1 410 555 0100', '10-402'],
  ['US-MA', 'all-party', '+1 617 555 0100', 'ch. 272, § 99'],
  ['US-MI', 'all-party', '+1 313 555 0100', '750.539c'],
  ['US-MT', 'all-party', '+1 406 555 0100', '45-8-213'],
  ['US-NV', 'all-party', '+1 702 555 0100', '200.620'],
  ['US-NH', 'all-party', '+1 603 555 0100', '570-A:2'],
  ['US-OR', 'all-party', '+1 503 555 0100', '165.540'],
  ['US-PA', 'all-party', '+1 215 555 0100', '5704'],
  ['US-WA', 'all-party', '+1 206 555 0100', '9.73.030'],
  ['US-AL', 'one-party', '+1 205 555 0100', '13A-11-30'],
  ['US-AK', 'one-party', '+1 907 555 0100', '42.20.310'],
  ['US-AZ', 'one-party', '+1 602 555 0100', '13-3005'],
  ['US-AR', 'one-party', '+1 501 555 0100', '5-60-120'],
  ['US-CO', 'one-party', '+1 303 555 0100', '18-9-303'],
  ['US-DC', 'one-party', '+1 202 555 0100', '23-542'],
  ['US-GA', 'one-party', '+1 404 555 0100', '16-11-66'],
  ['US-HI', 'one-party', '+1 808 555 0100', '803-42'],
  ['US-ID', 'one-party', '+1 208 555 0100', '18-6702'],
  ['US-IN', 'one-party', '+1 317 555 0100', '35-33.5'],
  ['US-IA', 'one-party', '+1 515 555 0100', '808B'],
  ['US-KS', 'one-party', '+1 316 555 0100', '21-6101'],
  ['US-KY', 'one-party', '+1 502 555 0100', '526.010'],
  ['US-LA', 'one-party', '+1 504 555 0100', '15:1303'],
  ['US-ME', 'one-party', '+1 207 555 0100', 'tit. 15, § 710'],
  ['US-MN', 'one-party', '+1 612 555 0100', '626A.02'],
  ['US-MS', 'one-party', '+1 601 555 0100', '41-29-531'],
  ['US-MO', 'one-party', '+1 314 555 0100', '542.402'],
  ['US-NE', 'one-party', '+1 402 555 0100', '86-290'],
  ['US-NJ', 'one-party', '+1 201 555 0100', '2A:156A-4'],
  ['US-NM', 'one-party', '+1 505 555 0100', '30-12-1'],
  ['US-NY', 'one-party', '+1 212 555 0100', '250.00'],
  ['US-NC', 'one-party', '+1 919 555 0100', '15A-287'],
  ['US-ND', 'one-party', '+1 701 555 0100', '12.1-15-02'],
  ['US-OH', 'one-party', '+1 614 555 0100', '2933.52'],
  ['US-OK', 'one-party', '+1 405 555 0100', '176.4'],
  ['US-RI', 'one-party', '+1 401 555 0100', '11-35-21'],
  ['US-SC', 'one-party', '+1 803 555 0100', '17-30-30'],
  ['US-SD', 'one-party', '+1 605 555 0100', '23A-35A-20'],
  ['US-TN', 'one-party', '+1 615 555 0100', '39-13-601'],
  ['US-TX', 'one-party', '+1 512 555 0100', '16.02'],
  ['US-UT', 'one-party', '+1 801 555 0100', '77-23a-4'],
  ['US-VT', 'one-party', '+1 802 555 0100', '2511(2)(d)'],
  ['US-VA', 'one-party', '+1 804 555 0100', '19.2-62'],
  ['US-WV', 'one-party', '+1 304 555 0100', '62-1D-3'],
  ['US-WI', 'one-party', '+1 414 555 0100', '968.31'],
  ['US-WY', 'one-party', '+1 307 555 0100', '7-3-702'],
  ['US-PR', 'unknown', '+1 787 555 0100', '2511'],
  ['US-VI', 'unknown', '+1 340 555 0100', '2511'],
  ['US-GU', 'unknown', '+1 671 555 0100', '2511'],
  ['US-MP', 'unknown', '+1 670 555 0100', '2511'],
  ['US-AS', 'unknown', '+1 684 555 0100', '2511'],
  ['CA', 'one-party', '+1 613 555 0100', 's. 184(2)(a)'],
  ['GB', 'one-party', '+44 20 7946 0000', 'Investigatory Powers Act 2016'],
  ['IE', 'one-party', '+353 1 234 5678', '1993, s. 98'],
  ['NL', 'one-party', '+31 20 123 4567', '139a'],
  ['ES', 'one-party', '+34 912 345 678', '114/1984'],
  ['IT', 'one-party', '+39 06 1234 5678', '36747/2003'],
  ['NZ', 'one-party', '+64 9 123 4567', '216B'],
  ['DE', 'all-party', '+49 30 1234567', '§ 201'],
  ['FR', 'all-party', '+33 1 23 45 67 89', '226-1'],
  ['CH', 'all-party', '+41 44 123 45 67', '179ter'],
  ['AU', 'all-party', '+61 2 9876 5432', 'Interception and Access'],
];

describe('jurisdiction table', () => {
  it.each(EXPECTED)('%s is %s (from %s), citing %s', (code, rule, number, citation) => {
    const jurisdiction = jurisdictionFor(number);
    expect(jurisdiction.code).toBe(code);
    expect(jurisdiction.rule).toBe(rule);
    expect(jurisdiction.citation).toContain(citation);
  });

  it('the test above covers every entry of the table, and nothing else', () => {
    expect(new Set(EXPECTED.map(([code]) => code))).toEqual(new Set(JURISDICTION_TABLE.map((j) => j.code)));
    expect(JURISDICTIONS.size).toBe(JURISDICTION_TABLE.length);
  });

  it('covers all 50 states and DC', () => {
    expect(JURISDICTION_TABLE.filter((j) => /^US-/.test(j.code) && j.rule !== 'unknown')).toHaveLength(51);
  });

  it('every disputed entry (one with a note) resolved to the stricter rule, except where the note says why not', () => {
    const disputedButLenient = JURISDICTION_TABLE.filter((j) => j.note && j.rule === 'one-party').map((j) => j.code);
    // These carry notes that explain a caveat, not a disagreement about the rule.
    expect(disputedButLenient.sort()).toEqual(['CA', 'ES', 'GB', 'IE', 'IT', 'NL', 'US-HI', 'US-VT']);
  });

  it('every area code maps to a table entry and appears once', () => {
    const all = Object.values(AREA_CODES_BY_JURISDICTION).flat();
    expect(NANP_AREA_CODES.size).toBe(all.length);
    for (const code of Object.keys(AREA_CODES_BY_JURISDICTION)) expect(JURISDICTIONS.has(code)).toBe(true);
    for (const j of JURISDICTION_TABLE.filter((e) => e.code.startsWith('US-'))) {
      expect(AREA_CODES_BY_JURISDICTION[j.code]?.length ?? 0).toBeGreaterThan(0);
    }
  });

  it.each([
    ['+1 213 555 0100', 'US-CA'], // overlay-rich Los Angeles
    ['+1 341 555 0100', 'US-CA'], // newer overlay
    ['+1 872 555 0100', 'US-IL'],
    ['+1 929 555 0100', 'US-NY'],
    ['+1 737 555 0100', 'US-TX'],
    ['+1 438 555 0100', 'CA'], // Montreal
    ['+1 867 555 0100', 'CA'], // northern territories
  ])('%s → %s', (number, code) => {
    expect(jurisdictionFor(number).code).toBe(code);
  });
});

describe('jurisdictionFor: what cannot be placed is unknown (and so all-party)', () => {
  it.each([
    [undefined],
    [''],
    ['anonymous'],
    ['sip:alice@example.com'],
    ['+1 876 555 0100'], // Jamaica: NANP, not in the table
    ['+1 800 555 0100'], // toll-free: no geography
    ['+1 555 555 0100'], // not an area code
    ['+86 10 1234 5678'], // country not in the table
    ['+1 415 555'], // too short
  ])('%j → unknown', (number) => {
    expect(jurisdictionFor(number)).toEqual(UNKNOWN_JURISDICTION);
    expect(jurisdictionFor(number).rule).toBe('unknown');
  });
});

describe('normalizeE164', () => {
  it.each([
    ['+14155550100', '+14155550100'],
    ['+1 (415) 555-0100', '+14155550100'],
    ['+1.415.555.0100', '+14155550100'],
    ['(415) 555-0100', '+14155550100'],
    ['4155550100', '+14155550100'],
    ['14155550100', '+14155550100'],
    ['tel:+14155550100', '+14155550100'],
    ['sip:+14155550100@sip.example.com', '+14155550100'],
    ['0044 20 7946 0000', '+442079460000'],
    ['+44 (0)20 7946 0000', '+442079460000'],
  ])('%j → %s', (input, expected) => {
    expect(normalizeE164(input)).toBe(expected);
  });

  it.each([
    '',
    'anonymous',
    'restricted',
    '+',
    '+0123456789',
    '+1415555010',
    '+141555501000',
    '+1 015 555 0100',
    '555-0100',
    '+1234567890123456',
    'sip:alice@example.com',
  ])('%j → undefined', (input) => {
    expect(normalizeE164(input)).toBeUndefined();
  });

  it('property: normalizing is idempotent and always yields + and 8–15 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[\d ().-]{0,20}$/), (input) => {
        const once = normalizeE164(input);
        if (once === undefined) return;
        expect(once).toMatch(/^\+[1-9]\d{7,14}$/);
        expect(normalizeE164(once)).toBe(once);
      }),
    );
  });
});

describe('callerHash', () => {
  const secret = 'unit-test-secret-0123456789';

  it('hashes the normalized number: formatting does not change it', () => {
    expect(callerHash('+1 (415) 555-0100', secret)).toBe(callerHash('+14155550100', secret));
  });

  it('is a 64-hex-digit keyed hash that depends on the secret and never contains the number', () => {
    const hash = callerHash('+14155550100', secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain('4155550100');
    expect(callerHash('+14155550100', `${secret}x`)).not.toBe(hash);
    expect(callerHash('+14155550101', secret)).not.toBe(hash);
  });

  it('refuses a short secret', () => {
    expect(() => callerHash('+14155550100', 'short')).toThrow(RangeError);
  });
});

describe('effectiveRecordingMode: the stricter rule wins', () => {
  it.each([
    ['+1 212 555 0100', 'disclose-and-record', 'disclose-and-record'], // NY one-party
    ['+1 212 555 0100', 'consent-first', 'consent-first'],
    ['+1 415 555 0100', 'disclose-and-record', 'consent-first'], // CA all-party
    ['+1 415 555 0100', 'consent-first', 'consent-first'],
    ['+1 787 555 0100', 'disclose-and-record', 'consent-first'], // territory: unknown
    [undefined, 'disclose-and-record', 'consent-first'], // withheld number
  ] as const)('%s with %s → %s', (number, configured, expected) => {
    expect(effectiveRecordingMode(configured, jurisdictionFor(number))).toBe(expected);
  });

  it('never relaxes consent-first, and only one-party jurisdictions keep disclose-and-record', () => {
    for (const j of [...JURISDICTION_TABLE, UNKNOWN_JURISDICTION]) {
      expect(effectiveRecordingMode('consent-first', j)).toBe('consent-first');
      expect(effectiveRecordingMode('disclose-and-record', j)).toBe(
        j.rule === 'one-party' ? 'disclose-and-record' : 'consent-first',
      );
    }
  });
});
