import { randomUUID } from 'node:crypto';
import { nowOf } from '#shared/clock.js';
import { logger } from '#shared/observability/logger.js';
import { exportKey, exportPrefixesOf } from '#shared/storage/layout.js';
import type { PrivacyDeps } from './deps.js';
import type { ExportDocument, ExportRef } from './types.js';

/** How long the presigned download URL of a stored export works: enough to fetch it once, not to pass around. */
export const EXPORT_URL_TTL_SECONDS = 15 * 60;

/**
 * Bytes the operator response adds around the export document (`{"ok":true,"action":"export","result":…}`),
 * so the size compared with the limit is the size of the whole response body, measured without
 * serializing a multi-megabyte document twice.
 */
const ENVELOPE_BYTES = Buffer.byteLength(JSON.stringify({ ok: true, action: 'export', result: null })) - 'null'.length;

/**
 * The export as the operator gets it. Lambda refuses a synchronous response over 6 MB (the
 * invocation fails and the export is lost), so a document whose response would exceed
 * `maxInlineBytes` is written to `exports/<subject>/…` and answered by reference: its key, size,
 * number of calls and a presigned GET URL valid {@link EXPORT_URL_TTL_SECONDS}. The URL is not
 * logged: whoever holds it can read the export until it expires.
 */
export async function deliverExport(document: ExportDocument, deps: PrivacyDeps): Promise<ExportDocument | ExportRef> {
  if (!deps.exports) return document;
  const body = JSON.stringify(document);
  const bytes = Buffer.byteLength(body);
  if (bytes + ENVELOPE_BYTES <= deps.exports.maxInlineBytes) return document;
  const now = nowOf(deps);
  const key = exportKey(document.subject, now, randomUUID());
  await deps.exports.objects.put(key, body);
  const url = await deps.exports.objects.presignGet(key, EXPORT_URL_TTL_SECONDS);
  logger.info('export too large to answer inline: stored in the bucket', { key, bytes, calls: document.calls.length });
  return {
    kind: 'recording-agent-export-ref',
    key,
    bytes,
    calls: document.calls.length,
    url,
    urlExpiresAt: new Date(now.getTime() + EXPORT_URL_TTL_SECONDS * 1000).toISOString(),
  };
}

/**
 * Deletes every stored export holding data of the erased calls: each call's own and each of
 * their callers' (a caller's export embeds all its calls). Erasure calls this with the call ids
 * it erased and the caller hashes those calls carried. Returns how many objects went.
 */
export async function eraseExports(
  erased: { callIds: readonly string[]; callerHashes: readonly string[] },
  deps: PrivacyDeps,
): Promise<number> {
  if (!deps.exports) return 0;
  const { objects } = deps.exports;
  let deleted = 0;
  for (const prefix of exportPrefixesOf(erased)) {
    for (const key of await objects.keysUnder(prefix)) {
      await objects.delete(key);
      deleted += 1;
    }
  }
  return deleted;
}
