import type { Jurisdiction } from './types.js';

/**
 * Recording-consent rules as data: one entry per jurisdiction, each citing the statute (or
 * case) it comes from. Published lists of "all-party" US states disagree; where they do, the
 * entry carries a `note` and the STRICTER reading (all-party). This is an engineering summary
 * for choosing a recording mode, not legal advice: have counsel review before relying on it.
 *
 * Codes: `US-XX` for US states, DC and territories, ISO 3166-1 alpha-2 for countries.
 */
const one = (code: string, name: string, citation: string, note?: string): Jurisdiction => ({
  code,
  name,
  rule: 'one-party',
  citation,
  ...(note ? { note } : {}),
});
const all = (code: string, name: string, citation: string, note?: string): Jurisdiction => ({
  code,
  name,
  rule: 'all-party',
  citation,
  ...(note ? { note } : {}),
});
const unknown = (code: string, name: string, citation: string, note: string): Jurisdiction => ({
  code,
  name,
  rule: 'unknown',
  citation,
  note,
});

const FEDERAL = '18 U.S.C. § 2511(2)(d)';
const TERRITORY_NOTE = 'local law not reviewed; treated as unknown so consent is asked first';

export const JURISDICTION_TABLE: readonly Jurisdiction[] = [
  // United States: all-party (including disputed ones, resolved to the stricter rule).
  all('US-CA', 'California', 'Cal. Penal Code § 632, § 632.7'),
  all(
    'US-CT',
    'Connecticut',
    'Conn. Gen. Stat. § 52-570d',
    'criminal statute (§ 53a-187) is one-party; the civil statute requires all parties for telephone calls',
  ),
  all(
    'US-DE',
    'Delaware',
    'Del. Code tit. 11, § 1335(a)(4)',
    'wiretap act (tit. 11, § 2402(c)(4)) is one-party; the privacy statute is read as all-party',
  ),
  all('US-FL', 'Florida', 'Fla. Stat. § 934.03'),
  all('US-IL', 'Illinois', '720 ILCS 5/14-2', 'all-party for private conversations since the 2014 amendment'),
  all('US-MD', 'Maryland', 'Md. Code, Cts. & Jud. Proc. § 10-402'),
  all('US-MA', 'Massachusetts', 'Mass. Gen. Laws ch. 272, § 99'),
  all(
    'US-MI',
    'Michigan',
    'Mich. Comp. Laws § 750.539c',
    'Sullivan v. Gray (1982) allows a participant to record; disputed, so all-party',
  ),
  all('US-MT', 'Montana', 'Mont. Code Ann. § 45-8-213'),
  all(
    'US-NV',
    'Nevada',
    'Nev. Rev. Stat. § 200.620',
    'telephone calls all-party per Lane v. Allstate (1998); in-person one-party (§ 200.650)',
  ),
  all('US-NH', 'New Hampshire', 'N.H. Rev. Stat. Ann. § 570-A:2'),
  all(
    'US-OR',
    'Oregon',
    'Or. Rev. Stat. § 165.540',
    'telephone calls one-party, in-person conversations all-party; disputed, so all-party',
  ),
  all('US-PA', 'Pennsylvania', '18 Pa. Cons. Stat. § 5703, § 5704(4)'),
  all('US-WA', 'Washington', 'Rev. Code Wash. § 9.73.030'),

  // United States: one-party.
  one('US-AL', 'Alabama', 'Ala. Code § 13A-11-30'),
  one('US-AK', 'Alaska', 'Alaska Stat. § 42.20.310'),
  one('US-AZ', 'Arizona', 'Ariz. Rev. Stat. § 13-3005'),
  one('US-AR', 'Arkansas', 'Ark. Code Ann. § 5-60-120'),
  one('US-CO', 'Colorado', 'Colo. Rev. Stat. § 18-9-303'),
  one('US-DC', 'District of Columbia', 'D.C. Code § 23-542'),
  one('US-GA', 'Georgia', 'Ga. Code Ann. § 16-11-66'),
  one('US-HI', 'Hawaii', 'Haw. Rev. Stat. § 803-42', 'all-party only for devices installed in a private place (§ 711-1111)'),
  one('US-ID', 'Idaho', 'Idaho Code § 18-6702'),
  one('US-IN', 'Indiana', 'Ind. Code § 35-33.5-1-5'),
  one('US-IA', 'Iowa', 'Iowa Code § 808B.2'),
  one('US-KS', 'Kansas', 'Kan. Stat. Ann. § 21-6101'),
  one('US-KY', 'Kentucky', 'Ky. Rev. Stat. § 526.010'),
  one('US-LA', 'Louisiana', 'La. Rev. Stat. § 15:1303'),
  one('US-ME', 'Maine', 'Me. Rev. Stat. tit. 15, § 710'),
  one('US-MN', 'Minnesota', 'Minn. Stat. § 626A.02'),
  one('US-MS', 'Mississippi', 'Miss. Code Ann. § 41-29-531'),
  one('US-MO', 'Missouri', 'Mo. Rev. Stat. § 542.402'),
  one('US-NE', 'Nebraska', 'Neb. Rev. Stat. § 86-290'),
  one('US-NJ', 'New Jersey', 'N.J. Stat. Ann. § 2A:156A-4'),
  one('US-NM', 'New Mexico', 'N.M. Stat. Ann. § 30-12-1'),
  one('US-NY', 'New York', 'N.Y. Penal Law § 250.00, § 250.05'),
  one('US-NC', 'North Carolina', 'N.C. Gen. Stat. § 15A-287'),
  one('US-ND', 'North Dakota', 'N.D. Cent. Code § 12.1-15-02'),
  one('US-OH', 'Ohio', 'Ohio Rev. Code § 2933.52'),
  one('US-OK', 'Oklahoma', 'Okla. Stat. tit. 13, § 176.4'),
  one('US-RI', 'Rhode Island', 'R.I. Gen. Laws § 11-35-21'),
  one('US-SC', 'South Carolina', 'S.C. Code Ann. § 17-30-30'),
  one('US-SD', 'South Dakota', 'S.D. Codified Laws § 23A-35A-20'),
  one('US-TN', 'Tennessee', 'Tenn. Code Ann. § 39-13-601'),
  one('US-TX', 'Texas', 'Tex. Penal Code § 16.02'),
  one('US-UT', 'Utah', 'Utah Code § 77-23a-4'),
  one('US-VT', 'Vermont', FEDERAL, 'no state wiretap statute; the federal one-party rule applies'),
  one('US-VA', 'Virginia', 'Va. Code § 19.2-62'),
  one('US-WV', 'West Virginia', 'W. Va. Code § 62-1D-3'),
  one('US-WI', 'Wisconsin', 'Wis. Stat. § 968.31'),
  one('US-WY', 'Wyoming', 'Wyo. Stat. § 7-3-702'),

  // US territories.
  unknown('US-PR', 'Puerto Rico', FEDERAL, TERRITORY_NOTE),
  unknown('US-VI', 'U.S. Virgin Islands', FEDERAL, TERRITORY_NOTE),
  unknown('US-GU', 'Guam', FEDERAL, TERRITORY_NOTE),
  unknown('US-MP', 'Northern Mariana Islands', FEDERAL, TERRITORY_NOTE),
  unknown('US-AS', 'American Samoa', FEDERAL, TERRITORY_NOTE),

  // Other countries (by calling code).
  one(
    'CA',
    'Canada',
    'Criminal Code, R.S.C. 1985, c. C-46, s. 184(2)(a)',
    'federal rule for every province; PIPEDA still requires telling callers why a call is recorded',
  ),
  one(
    'GB',
    'United Kingdom',
    'Investigatory Powers Act 2016, s. 3',
    'a party may record; UK GDPR Art. 13 still requires telling callers',
  ),
  one(
    'IE',
    'Ireland',
    'Postal Packets and Telecommunications Messages (Regulation) Act 1993, s. 98',
    'a party may record; GDPR Art. 13 still requires telling callers',
  ),
  one(
    'NL',
    'Netherlands',
    'Wetboek van Strafrecht art. 139a',
    'a participant may record; GDPR Art. 13 still requires telling callers',
  ),
  one(
    'ES',
    'Spain',
    'Tribunal Constitucional STC 114/1984',
    'a participant may record; GDPR Art. 13 still requires telling callers',
  ),
  one(
    'IT',
    'Italy',
    'Corte di Cassazione, Sez. Unite, n. 36747/2003',
    'a participant may record; GDPR Art. 13 still requires telling callers',
  ),
  one('NZ', 'New Zealand', 'Crimes Act 1961, s. 216B'),
  all('DE', 'Germany', 'Strafgesetzbuch § 201'),
  all('FR', 'France', 'Code pénal art. 226-1'),
  all('CH', 'Switzerland', 'Strafgesetzbuch art. 179ter'),
  all(
    'AU',
    'Australia',
    'Telecommunications (Interception and Access) Act 1979, s. 7',
    'state surveillance-device laws differ (e.g. NSW Surveillance Devices Act 2007 s. 7 is all-party); stricter applied',
  ),
];

/**
 * International calling code → jurisdiction code, for countries in the table (NANP, +1, is
 * resolved by area code instead). Longest prefix wins.
 */
export const CALLING_CODES: Readonly<Record<string, string>> = {
  '44': 'GB',
  '353': 'IE',
  '31': 'NL',
  '34': 'ES',
  '39': 'IT',
  '64': 'NZ',
  '49': 'DE',
  '33': 'FR',
  '41': 'CH',
  '61': 'AU',
};
