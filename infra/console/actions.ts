import { randomBytes } from 'node:crypto';
import { parsePrivacyRequest, type OperatorResponse, type PrivacyRequest } from '#shared/privacy/privacy-core.js';
import type { ExportDocument, ExportRef } from '#shared/privacy/types.js';
import type { ActionOutcome } from './views/call.js';

/** Runs one privacy request where the console acts: in-process on the local stack, or the deployed privacy function. */
export type Act = (request: PrivacyRequest) => Promise<OperatorResponse>;

const ACTIONS = ['hold', 'release', 'erase', 'export'] as const;
type ConsoleAction = (typeof ACTIONS)[number];

/** Outcomes and export documents waiting to be shown once (kept in memory only, a few at most). */
export class OneTimeStore<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly max = 50) {}

  put(value: T): string {
    const id = randomBytes(12).toString('base64url');
    this.entries.set(id, value);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.max) break;
      this.entries.delete(key);
    }
    return id;
  }

  take(id: string | null): T | undefined {
    if (!id) return undefined;
    const value = this.entries.get(id);
    this.entries.delete(id);
    return value;
  }
}

const isAction = (value: string | null): value is ConsoleAction => (ACTIONS as readonly string[]).includes(value ?? '');

interface Counts {
  status?: unknown;
  objects?: unknown;
  items?: unknown;
  objectsMoved?: unknown;
  itemsUpdated?: unknown;
}

function summary(action: ConsoleAction, result: unknown): string {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Counts;
  if (action === 'erase') return `status ${String(r.status)}: ${String(r.objects)} objects and ${String(r.items)} items deleted`;
  return `status ${String(r.status)}: ${String(r.objectsMoved)} objects moved, ${String(r.itemsUpdated)} items updated`;
}

const isRef = (value: unknown): value is ExportRef =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'recording-agent-export-ref';

/**
 * One action from the call page's form, validated with the privacy function's own schema (so
 * the console accepts exactly what the CLI and `aws lambda invoke` accept). Erase needs the call
 * id typed again. Refusals (legal hold, busy, bad reason) come back as an outcome to show.
 */
export async function runAction(
  callId: string,
  form: URLSearchParams,
  context: { act: Act; requestedBy: string; downloads: OneTimeStore<string> },
): Promise<ActionOutcome> {
  const action = form.get('action');
  if (!isAction(action)) return { action: 'action', ok: false, message: 'unknown action' };
  if (action === 'erase' && form.get('confirm') !== callId) {
    return { action, ok: false, message: 'the confirmation did not match the call id: nothing was erased' };
  }
  const reason = form.get('reason') || undefined;
  const event =
    action === 'export'
      ? { action, callId }
      : { action, callId, requestedBy: context.requestedBy, ...(reason ? { reason } : {}) };
  const parsed = parsePrivacyRequest(event);
  if ('error' in parsed) {
    return { action, ok: false, message: parsed.error.ok ? 'invalid request' : parsed.error.error.message };
  }
  const response = await context.act(parsed.request);
  if (!response.ok) {
    const retry = response.error.retryable ? ' (try again in a moment)' : '';
    return { action, ok: false, message: `${response.error.code}: ${response.error.message}${retry}` };
  }
  if (action !== 'export') return { action, ok: true, message: summary(action, response.result) };
  if (isRef(response.result)) {
    return {
      action,
      ok: true,
      message: `stored as ${response.result.key} (${response.result.bytes} bytes); the link expires at ${response.result.urlExpiresAt}`,
      exportUrl: response.result.url,
    };
  }
  const document = response.result as ExportDocument;
  const call = document.calls[0];
  const id = context.downloads.put(JSON.stringify(document, null, 2));
  return {
    action,
    ok: true,
    message: `${document.calls.length} call, ${call?.events.length ?? 0} audit events, ${call?.recordings.length ?? 0} recordings, ${call?.objects.length ?? 0} objects`,
    download: `/exports/${id}`,
  };
}
