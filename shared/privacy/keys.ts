/**
 * Where a call's data lives in the bucket and table, and how legal hold relocates it.
 *
 * Held objects move under `legal-hold/<call>/<origin>/<rest>` (origin = `recordings` or
 * `archive`), so a release knows where each one came back from and two origins never collide.
 * The prefix is the hold mechanism: the stack's lifecycle rules expire `recordings/` and
 * `archive/` but have no rule for `legal-hold/`. (S3 Object Lock would be the alternative; the
 * local emulator answers MethodNotAllowed to it, and a lock cannot be lifted early in
 * compliance mode, which a released hold needs.)
 */
import { RECORDINGS_PREFIX } from '#shared/recordings/metadata.js';

const ARCHIVE_PREFIX = 'archive/';
const LEGAL_HOLD_PREFIX = 'legal-hold/';

/** Table sort keys of a call's partition. */
export const SK = {
  consent: 'CONSENT',
  eventPrefix: 'EVENT#',
  recordingPrefix: 'RECORDING#',
  legalHold: 'LEGAL_HOLD',
} as const;

const ORIGINS = { recordings: RECORDINGS_PREFIX, archive: ARCHIVE_PREFIX } as const;
type Origin = keyof typeof ORIGINS;

/** The prefixes under which a call's objects may be, each ending in '/'. */
export function callPrefixes(callId: string): { recordings: string; archive: string; legalHold: string } {
  return {
    recordings: `${RECORDINGS_PREFIX}${callId}/`,
    archive: `${ARCHIVE_PREFIX}${callId}/`,
    legalHold: `${LEGAL_HOLD_PREFIX}${callId}/`,
  };
}

/** `recordings/<call>/x` → `legal-hold/<call>/recordings/x`; undefined for keys outside the call's expiring prefixes. */
export function heldKey(callId: string, key: string): string | undefined {
  for (const origin of Object.keys(ORIGINS) as Origin[]) {
    const prefix = `${ORIGINS[origin]}${callId}/`;
    if (key.startsWith(prefix)) return `${LEGAL_HOLD_PREFIX}${callId}/${origin}/${key.slice(prefix.length)}`;
  }
  return undefined;
}

/** Inverse of {@link heldKey}; undefined for a key that did not come from there. */
export function releasedKey(callId: string, key: string): string | undefined {
  const prefix = `${LEGAL_HOLD_PREFIX}${callId}/`;
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf('/');
  const origin = rest.slice(0, slash) as Origin;
  if (slash <= 0 || !(origin in ORIGINS)) return undefined;
  return `${ORIGINS[origin]}${callId}/${rest.slice(slash + 1)}`;
}

/**
 * expiresAt of a held call's items: 9999-12-31T23:59:59Z, i.e. never. A value rather than a
 * removed attribute because every writer keeps working with it: the consent record's type
 * requires a number and its state machine only ever extends it (max), and the ingest ledger's
 * `if_not_exists(expiresAt, …)` leaves it alone, where a removed attribute would be re-set.
 */
export const LEGAL_HOLD_EXPIRES_AT = 253_402_300_799;

export const isHeldKey = (key: string): boolean => key.startsWith(LEGAL_HOLD_PREFIX);
export const isMetadataKey = (key: string): boolean => key.endsWith('.json');
