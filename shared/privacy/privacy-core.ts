import { CallBusyError, PhaseConflictError } from '#shared/storage/write-gate.js';
import { dynamoWriteGate } from '#shared/storage/write-gate.js';
import * as z from '#shared/validation/zod.js';
import { zodIssuesMessage } from '#shared/validation/zod-message.js';
import { isSafeId } from '#shared/validation/ids.js';
import { loadSecrets, loadSignalWireProject, requireCallerHashSecret } from '#shared/aws/secrets.js';
import { normalizeE164 } from '#shared/consent/caller-hash.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { getConfig } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { auditTimeline } from './audit.js';
import { AwsCallDataStore } from '#shared/storage/call-data-store.js';
import type { PrivacyDeps } from './deps.js';
import { eraseCall, eraseCaller } from './erase.js';
import { exportCall, exportCaller } from './export.js';
import { deliverExport } from './export-delivery.js';
import { S3ExportObjects } from '#shared/storage/export-objects.js';
import { setLegalHold } from './legal-hold.js';
import { signalWireRecordingsFromConfig } from '#shared/signalwire/recordings.js';
import { CallNotFoundError, DEFAULT_ERASE_REASON, LegalHoldError, isReason, isRequestedBy, type CallerRef } from './types.js';
import { DEFAULT_HOLD_REASON } from '#shared/storage/protection.js';
import { SignalWireDeleteError } from '#shared/signalwire/recordings.js';
import { onInstanceReset } from '#shared/instance.js';

const CALLER_HASH = /^[0-9a-f]{64}$/;

const ACTIONS = ['erase', 'export', 'hold', 'release', 'audit'] as const;
export type PrivacyAction = (typeof ACTIONS)[number];

/** Which actions take a caller instead of a call id. */
const BY_CALLER: ReadonlySet<PrivacyAction> = new Set(['erase', 'export']);

/**
 * The operator function's event (`aws lambda invoke --payload …`). Unknown keys are refused so a
 * typo (`call_id`) is an error, not a silently ignored field.
 */
const PrivacyRequestSchema = z
  .strictObject({
    action: z.enum(ACTIONS),
    callId: z.optional(z.string().check(z.refine(isSafeId, 'must be letters, digits, . _ : - (a SignalWire call id)'))),
    /** E.164 number (hashed at once, never stored or logged), a `sip:` URI, or the 64-hex caller hash. */
    caller: z.optional(z.string().check(z.minLength(3), z.maxLength(128))),
    reason: z.optional(
      z.string().check(z.refine(isReason, 'must be a short lowercase slug without personal data, e.g. data-subject-request')),
    ),
    requestedBy: z.optional(
      z.string().check(z.refine(isRequestedBy, 'must be an operator id without personal data: letters, digits, . _ @ : -')),
    ),
  })
  .check(
    z.superRefine((request, ctx) => {
      const hasCall = request.callId !== undefined;
      const hasCaller = request.caller !== undefined;
      if (BY_CALLER.has(request.action)) {
        if (hasCall === hasCaller)
          ctx.addIssue({ code: 'custom', path: ['callId'], message: `${request.action} needs exactly one of callId or caller` });
      } else {
        if (!hasCall) ctx.addIssue({ code: 'custom', path: ['callId'], message: `${request.action} needs callId` });
        if (hasCaller)
          ctx.addIssue({ code: 'custom', path: ['caller'], message: `${request.action} works per call: use callId` });
      }
      if (hasCaller && !parseCaller(request.caller as string)) {
        ctx.addIssue({
          code: 'custom',
          path: ['caller'],
          message: 'must be an E.164 number, a sip: URI or a 64-hex caller hash',
        });
      }
    }),
  );
export type PrivacyRequest = z.infer<typeof PrivacyRequestSchema>;

/** The number or hash an operator gave, as a {@link CallerRef}; undefined when it is neither. */
export function parseCaller(value: string): CallerRef | undefined {
  const trimmed = value.trim();
  if (CALLER_HASH.test(trimmed)) return { hash: trimmed };
  if (normalizeE164(trimmed)) return { number: trimmed };
  if (/^sips?:[^\s@]+@[^\s@]+$/i.test(trimmed)) return { number: trimmed };
  return undefined;
}

type OperatorErrorCode = 'invalid_request' | 'legal_hold' | 'not_found' | 'signalwire_delete_failed' | 'busy' | 'erased';

export type OperatorResponse =
  | { ok: true; action: PrivacyAction; result: unknown }
  | { ok: false; error: { code: OperatorErrorCode; message: string; retryable: boolean } };

const failure = (code: OperatorErrorCode, message: string, retryable = false): OperatorResponse => ({
  ok: false,
  error: { code, message, retryable },
});

/** Validation messages name the field and the rule, never the value (it may be a caller's number). */
/** Validate an operator event; a bad one is `{ok:false, error:{code:'invalid_request'}}`. */
export function parsePrivacyRequest(event: unknown): { request: PrivacyRequest } | { error: OperatorResponse } {
  const parsed = PrivacyRequestSchema.safeParse(event);
  if (!parsed.success) return { error: failure('invalid_request', zodIssuesMessage(parsed.error, { root: 'event', limit: 5 })) };
  return { request: parsed.data };
}

/**
 * Run one validated request. Refusals the operator can act on (legal hold, unknown call,
 * SignalWire refusing a delete) come back as `{ok:false}`; storage faults are thrown, so the
 * invocation fails visibly (Lambda error metric, non-zero CLI exit) and can be retried.
 */
export async function runPrivacyRequest(request: PrivacyRequest, deps: PrivacyDeps): Promise<OperatorResponse> {
  const { action, callId } = request;
  const caller = request.caller === undefined ? undefined : parseCaller(request.caller);
  const requestedBy = request.requestedBy ?? 'operator';
  if (callId) logger.appendKeys({ call_id: callId });
  logger.info('privacy request', { action, by: caller ? 'caller' : 'call' });
  try {
    switch (action) {
      case 'erase': {
        const op = { reason: request.reason ?? DEFAULT_ERASE_REASON, requestedBy };
        const result = caller ? await eraseCaller(caller, op, deps) : await eraseCall(callId as string, op, deps);
        return { ok: true, action, result };
      }
      case 'export': {
        const document = caller ? await exportCaller(caller, deps) : await exportCall(callId as string, deps);
        return { ok: true, action, result: await deliverExport(document, deps) };
      }
      case 'hold':
      case 'release': {
        const op = { reason: request.reason ?? DEFAULT_HOLD_REASON, requestedBy };
        return { ok: true, action, result: await setLegalHold(callId as string, action === 'hold', op, deps) };
      }
      case 'audit':
        return { ok: true, action, result: { callId, events: await auditTimeline(callId as string, deps) } };
    }
  } catch (error) {
    if (error instanceof LegalHoldError) return failure('legal_hold', error.message);
    if (error instanceof CallBusyError) return failure('busy', error.message, true);
    if (error instanceof PhaseConflictError) {
      return error.state.erasure
        ? failure('erased', 'the call is erased or being erased: nothing to hold (run erase again to complete it)')
        : failure('legal_hold', new LegalHoldError([callId ?? '']).message);
    }
    if (error instanceof CallNotFoundError) return failure('not_found', error.message);
    if (error instanceof SignalWireDeleteError) {
      logger.warn('SignalWire recording delete failed; erasure stopped before deleting anything local', { status: error.status });
      return failure('signalwire_delete_failed', error.message, true);
    }
    throw error;
  }
}

let productionDeps: Promise<PrivacyDeps> | undefined;

async function buildPrivacyDeps(): Promise<PrivacyDeps> {
  const config = getConfig();
  // SignalWire credentials from env overlaid by the SignalWire secret. A secret that cannot be
  // read fails the job: erasing without deleting SignalWire's copy would report "done" too early.
  const signalwire = signalWireRecordingsFromConfig(await loadSignalWireProject(config));
  return {
    data: new AwsCallDataStore(),
    consent: new DynamoConsentStore(),
    ...(signalwire ? { signalwire } : {}),
    callerHashSecret: async () => requireCallerHashSecret(await loadSecrets(config)),
    retentionDays: config.RETENTION_DAYS,
    gate: dynamoWriteGate(),
    exports: { objects: new S3ExportObjects(), maxInlineBytes: config.EXPORT_INLINE_MAX_BYTES },
  };
}

/** The deployed function's dependencies: table, bucket and secrets from config, built once per instance. */
export function privacyDeps(): Promise<PrivacyDeps> {
  productionDeps ??= buildPrivacyDeps().catch((error: unknown) => {
    productionDeps = undefined;
    throw error;
  });
  return productionDeps;
}

onInstanceReset(() => {
  productionDeps = undefined;
});

/**
 * The privacy function's core: an IAM-invoked operator API (no HTTP route, so the SignalWire
 * basic-auth credentials cannot reach it). The event is never logged: it may hold a caller's
 * number.
 */
export async function privacyCore(event: unknown): Promise<OperatorResponse> {
  const parsed = parsePrivacyRequest(event);
  if ('error' in parsed) {
    logger.warn('privacy request rejected', { code: 'invalid_request' });
    return parsed.error;
  }
  return runPrivacyRequest(parsed.request, await privacyDeps());
}
