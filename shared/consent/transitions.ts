import { evidenceExpiresAt } from '#shared/storage/layout.js';
import { redactString } from '#shared/validation/personal-data.js';
import { POLICY_VERSION } from './policy.js';
import {
  type AuditEvent,
  type AuditEventType,
  type CallInit,
  ConsentConflictError,
  type ConsentRecord,
  type ConsentState,
} from './types.js';

/**
 * Consent evidence must outlive the recording it covers (issue #4 §5): a recording can be
 * stored up to a day after the call (SignalWire's status webhook may retry) and then lives
 * `retentionDays`, so consent and audit items get the evidence margin on top
 * (shared/storage/layout.ts). Epoch seconds, for DynamoDB TTL.
 */
export const consentExpiresAt = evidenceExpiresAt;

/** A fresh pending record, as `ensureCall` stores it. */
export function newConsentRecord(callId: string, init: CallInit, now: Date, retentionDays: number): ConsentRecord {
  return {
    callId,
    state: 'pending',
    jurisdiction: init.jurisdiction.code,
    rule: init.jurisdiction.rule,
    policyVersion: POLICY_VERSION,
    updatedAt: now.toISOString(),
    version: 1,
    ...(init.callerHash ? { callerHash: init.callerHash } : {}),
    ...(init.mode ? { mode: init.mode } : {}),
    expiresAt: consentExpiresAt(now, retentionDays),
  };
}

/** States after which recording may never start again. */
const TERMINAL_STATES: ReadonlySet<ConsentState> = new Set(['declined', 'withdrawn']);

/**
 * The consent state machine, shared by every store so they agree:
 * - the same state again is a no-op (returns `undefined`: nothing to write);
 * - `granted` after `declined` or `withdrawn` throws {@link ConsentConflictError};
 * - `declined` / `withdrawn` are always accepted (refusing a refusal would be the unsafe way round).
 */
export function nextConsent(
  current: ConsentRecord,
  state: Exclude<ConsentState, 'pending'>,
  evidence: { category: string },
  now: Date,
  retentionDays: number,
): ConsentRecord | undefined {
  if (current.state === state) return undefined;
  if (state === 'granted' && TERMINAL_STATES.has(current.state)) {
    throw new ConsentConflictError(`consent is ${current.state} for this call; it cannot become granted`);
  }
  return {
    ...current,
    state,
    evidence: evidence.category,
    policyVersion: POLICY_VERSION,
    updatedAt: now.toISOString(),
    version: current.version + 1,
    // Never shorten: evidence is kept at least as long as anything it covers.
    expiresAt: Math.max(current.expiresAt, consentExpiresAt(now, retentionDays)),
  };
}

/** Largest string an audit detail value may hold: names and codes fit, free text does not. */
const MAX_DETAIL_STRING = 64;

const DETAIL_REDACTED = '[redacted]';

/**
 * Last line of defence for the audit trail: string values that are long (free text) or that the
 * logger's redaction would scrub (phone/card/SSN-like digit runs, dates) are replaced, so a
 * careless caller of `appendEvent` cannot write an SSN or card number into DynamoDB. UUIDs and
 * ISO timestamps pass, as in the logger. Numbers and booleans pass: they are counts and codes.
 */
export function sanitizeDetail(
  detail: Record<string, string | number | boolean> | undefined,
): Record<string, string | number | boolean> | undefined {
  if (!detail) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(detail)) {
    out[key] =
      typeof value === 'string' && (value.length > MAX_DETAIL_STRING || redactString(value) !== value) ? DETAIL_REDACTED : value;
  }
  return out;
}

/** An audit event as stored (an `EVENT#…` item's attributes) → the event; one reading for the store and export. */
export function auditEventFromItem(item: Record<string, unknown>): AuditEvent {
  const detail = item.detail as AuditEvent['detail'];
  return { type: item.type as AuditEventType, at: String(item.at), ...(detail ? { detail } : {}) };
}
