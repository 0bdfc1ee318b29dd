import { writeFile } from 'node:fs/promises';
import type { ExportDocument, ExportRef } from '#shared/privacy/types.js';

/** Whether the privacy function answered an export by reference (too big to answer inline). */
export function isExportRef(result: unknown): result is ExportRef {
  return typeof result === 'object' && result !== null && (result as { kind?: unknown }).kind === 'recording-agent-export-ref';
}

/** The document behind a reference, fetched through its presigned URL (no AWS credentials needed). */
async function download(ref: ExportRef): Promise<ExportDocument> {
  const response = await fetch(ref.url);
  if (!response.ok)
    throw new Error(`download of ${ref.key} failed: HTTP ${response.status} (the URL works until ${ref.urlExpiresAt})`);
  const document = (await response.json()) as ExportDocument;
  if (document.kind !== 'recording-agent-export') throw new Error(`${ref.key} is not an export document`);
  return document;
}

/**
 * Writes the export (inline, or downloaded behind a reference) to `file`, readable by its owner
 * only: it holds personal data. Returns what was written, for the command's summary.
 */
export async function writeExportFile(
  result: ExportDocument | ExportRef,
  file: string,
): Promise<{ file: string; bytes: number; calls: number }> {
  const document = isExportRef(result) ? await download(result) : result;
  const text = `${JSON.stringify(document, null, 2)}\n`;
  await writeFile(file, text, { mode: 0o600 });
  return { file, bytes: Buffer.byteLength(text), calls: document.calls.length };
}
