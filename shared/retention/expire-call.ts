import { nowOf, type Clocked } from '#shared/clock.js';
import { logger } from '#shared/observability/logger.js';
import { signalWireUuidOf } from '#shared/recordings/metadata.js';
import type { SignalWireRecordings } from '#shared/signalwire/recordings.js';
import type { CallDataStore } from '#shared/storage/call-data.js';
import { expiryFrom, isHeldKey, isMetadataKey, LEGAL_HOLD_EXPIRES_AT, SK, TABLE } from '#shared/storage/layout.js';
import { snapshotCall } from '#shared/storage/protection.js';
import { CallBusyError, type OperatorGate, withCallLock } from '#shared/storage/write-gate.js';

export interface ExpireDeps extends Clocked {
  data: CallDataStore;
  /** The calls' write gate: the enforcer takes a call's operator lock, so no hold, release or erasure interleaves. */
  gate: Pick<OperatorGate, 'read' | 'lock' | 'unlock'>;
  /** Undefined without SignalWire REST credentials: their copies are then left to a later run. */
  signalwire?: Pick<SignalWireRecordings, 'deleteRecording'> | undefined;
  retentionDays: number;
}

export interface ExpireCallResult {
  callId: string;
  /** `busy`: another operator action held the call's lock (or an erasure is unfinished): left for the next run. */
  status: 'held' | 'checked' | 'busy';
  recordingsDeleted: number;
  itemsDeleted: number;
  /** Recordings past retention whose SignalWire copy could not be deleted: kept for the next run. */
  failures: string[];
}

/**
 * When a recording expires: its receipt plus the retention days, or the document's own
 * `expiresAt` if that is earlier. Counted from the recording, not from the object: a legal-hold
 * release copies objects back (S3 lifecycle starts counting again) and writes a fresh expiresAt,
 * and neither may keep a recording longer than the caller was told. Undefined when the document
 * says neither (not a metadata document we can read): left alone, the lifecycle rule backs it up.
 */
function recordingExpiry(doc: unknown, retentionDays: number): Date | undefined {
  const { receivedAt, expiresAt } = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const dates = [
    typeof receivedAt === 'string' ? expiryFrom(new Date(receivedAt), retentionDays) : undefined,
    typeof expiresAt === 'string' ? new Date(expiresAt) : undefined,
  ].filter((d): d is Date => d !== undefined && !Number.isNaN(d.getTime()));
  return dates.length === 0 ? undefined : new Date(Math.min(...dates.map((d) => d.getTime())));
}

/**
 * Delete what of one call is past retention, unless the call is held (then nothing is touched).
 * The one per-call step of the retention enforcer, so a caller can wrap it (e.g. in a per-call
 * operator lock) without knowing what is inside.
 *
 * Objects: for each metadata document under recordings/<call>/ whose {@link recordingExpiry} has
 * passed, SignalWire's copy first (its uuid is only in our metadata: deleting ours first and then
 * failing at SignalWire would orphan theirs), then the recording's audio, the metadata last, so a
 * rerun still finds the uuid. A SignalWire failure keeps that recording for the next run and is
 * reported; the others go on. Items: every item whose expiresAt (epoch seconds) has passed, the
 * consent item last (it is what the byCaller index finds). Held calls: the snapshot test of
 * shared/storage/protection.ts (marker, consent flag, anything under legal-hold/).
 *
 * Idempotent: a rerun finds less and deletes what is left. Storage faults throw.
 */
export async function expireCall(callId: string, deps: ExpireDeps): Promise<ExpireCallResult> {
  const result: ExpireCallResult = { callId, status: 'held', recordingsDeleted: 0, itemsDeleted: 0, failures: [] };
  const state = await deps.gate.read(callId);
  if (state.held) return result;
  if (state.erasure === 'erasing') return { ...result, status: 'busy' };
  try {
    return await withCallLock(deps.gate, callId, 'expire', () => expireLocked(callId, result, deps));
  } catch (error) {
    if (error instanceof CallBusyError) return { ...result, status: 'busy' };
    throw error;
  }
}

async function expireLocked(callId: string, result: ExpireCallResult, deps: ExpireDeps): Promise<ExpireCallResult> {
  const snapshot = await snapshotCall(callId, deps.data);
  if (snapshot.held) return result;
  result.status = 'checked';
  const now = nowOf(deps);

  const objects = snapshot.objects.filter((key) => !isHeldKey(key));
  for (const metadataKey of objects.filter(isMetadataKey)) {
    const doc = await deps.data.readJson(metadataKey);
    const expiry = recordingExpiry(doc, deps.retentionDays);
    if (!expiry || expiry > now) continue;
    const uuid = signalWireUuidOf(doc);
    if (uuid && deps.signalwire) {
      try {
        await deps.signalwire.deleteRecording(uuid);
      } catch (error) {
        logger.warn('SignalWire did not delete an expired recording; kept for the next run', {
          call_id: callId,
          reason: error instanceof Error ? error.message : 'unknown',
        });
        result.failures.push(metadataKey);
        continue;
      }
    }
    const stem = metadataKey.slice(0, -'.json'.length);
    for (const audio of objects.filter((key) => key !== metadataKey && key.startsWith(`${stem}.`))) {
      await deps.data.deleteObject(audio);
    }
    await deps.data.deleteObject(metadataKey);
    result.recordingsDeleted += 1;
  }

  const nowEpoch = Math.floor(now.getTime() / 1000);
  const expired = snapshot.items.filter((item) => {
    const at = item.attributes[TABLE.ttlAttribute];
    return item.sk !== SK.legalHold && typeof at === 'number' && at < LEGAL_HOLD_EXPIRES_AT && at <= nowEpoch;
  });
  const consentLast = [...expired.filter((i) => i.sk !== SK.consent), ...expired.filter((i) => i.sk === SK.consent)];
  for (const item of consentLast) await deps.data.deleteItem(callId, item.sk);
  result.itemsDeleted = consentLast.length;
  // Our lock created the gate item if the call had none: a call with nothing else left keeps no bookkeeping either.
  const left = await snapshotCall(callId, deps.data);
  if (left.objects.length === 0 && left.items.every((item) => item.sk === SK.guard)) {
    const gate = left.items.find((item) => item.sk === SK.guard);
    if (gate && gate.attributes.erasure === undefined) await deps.data.deleteItem(callId, SK.guard);
  }
  return result;
}
