import type { OperatorAction, OperatorLock } from '#shared/storage/write-gate.js';
import type { PrivacyDeps } from './deps.js';

/**
 * Run one operator action on a call under its lock (shared/storage/write-gate.ts), so a hold, a
 * release and an erasure of the same call never interleave, whoever runs them. Throws
 * `CallBusyError` when another action holds the lock; the lock is given back however the
 * action ends (a crash leaves it to lapse).
 */
export async function withOperatorLock<T>(
  callId: string,
  action: OperatorAction,
  deps: Pick<PrivacyDeps, 'gate'>,
  work: (lock: OperatorLock) => Promise<T>,
): Promise<T> {
  const lock = await deps.gate.lock(callId, action);
  try {
    return await work(lock);
  } finally {
    await deps.gate.unlock(lock);
  }
}
