import type { RecordingMode } from '#shared/config.js';
import { normalizeE164 } from './caller-hash.js';
import { AREA_CODES_BY_JURISDICTION } from './nanp-area-codes.js';
import { CALLING_CODES, JURISDICTION_TABLE } from './jurisdiction-table.js';
import type { Jurisdiction } from './types.js';

/**
 * Returned whenever the number does not lead to a table entry, and stored when consent is set for
 * a call nobody announced with `ensureCall`: the strictest rule then applies.
 */
export const UNKNOWN_JURISDICTION: Jurisdiction = {
  code: 'unknown',
  name: 'Unknown',
  rule: 'unknown',
  citation: 'none: jurisdiction could not be determined, the stricter all-party rule applies',
};

/** Every jurisdiction by code. */
export const JURISDICTIONS: ReadonlyMap<string, Jurisdiction> = new Map(JURISDICTION_TABLE.map((j) => [j.code, j]));

/** NANP area code (as a 3-digit string) → jurisdiction code. */
export const NANP_AREA_CODES: ReadonlyMap<string, string> = new Map(
  Object.entries(AREA_CODES_BY_JURISDICTION).flatMap(([code, areas]) => areas.map((a) => [String(a), code] as const)),
);

const CALLING_CODES_LONGEST_FIRST = Object.keys(CALLING_CODES).sort((a, b) => b.length - a.length);

function lookup(code: string | undefined): Jurisdiction {
  return (code !== undefined ? JURISDICTIONS.get(code) : undefined) ?? UNKNOWN_JURISDICTION;
}

/**
 * The jurisdiction whose recording law applies to a caller, from their number: +1 (NANP) by
 * area code to a US state/territory or Canada, other numbers by calling code. Anything we cannot
 * place (withheld number, non-geographic or Caribbean NANP code, country not in the table) is
 * {@link UNKNOWN_JURISDICTION}, which {@link effectiveRecordingMode} treats as all-party.
 */
export function jurisdictionFor(callerNumber: string | undefined): Jurisdiction {
  const e164 = callerNumber === undefined ? undefined : normalizeE164(callerNumber);
  if (!e164) return UNKNOWN_JURISDICTION;
  const digits = e164.slice(1);
  if (digits.startsWith('1')) return lookup(NANP_AREA_CODES.get(digits.slice(1, 4)));
  const prefix = CALLING_CODES_LONGEST_FIRST.find((p) => digits.startsWith(p));
  return lookup(prefix !== undefined ? CALLING_CODES[prefix] : undefined);
}

/**
 * The recording mode to use for this caller: the configured one, except that all-party and
 * unknown jurisdictions always get `consent-first` (the stricter rule wins).
 */
export function effectiveRecordingMode(configured: RecordingMode, jurisdiction: Jurisdiction): RecordingMode {
  return jurisdiction.rule === 'one-party' ? configured : 'consent-first';
}
