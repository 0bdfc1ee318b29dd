import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { HEALTH_PATH } from './server.js';

/**
 * dataDir/endpoints.json: where a running local stack listens, so the CLI and other tools
 * (aws --endpoint-url, scripts) can find it. Removed on clean shutdown.
 */
const EndpointsSchema = z.object({
  api: z.string().url(),
  /** The SWML URL with its basic-auth credentials, ready to paste into SignalWire (or a tunnel). */
  swml: z.string().url(),
  swaig: z.string().url(),
  recordingStatus: z.string().url(),
  payment: z.string().url(),
  dynamodb: z.string().url(),
  s3: z.string().url(),
  region: z.string(),
  accessKeyId: z.string(),
  secretAccessKey: z.string(),
  table: z.string(),
  bucket: z.string(),
  pid: z.number().int(),
  startedAt: z.string(),
});
export type Endpoints = z.infer<typeof EndpointsSchema>;

const ENDPOINTS_FILE = 'endpoints.json';

export function writeEndpoints(dataDir: string, endpoints: Endpoints): void {
  writeFileSync(join(dataDir, ENDPOINTS_FILE), `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
}

/** The endpoints file of a data directory, or undefined when absent or unreadable. */
export function readEndpoints(dataDir: string): Endpoints | undefined {
  const path = join(dataDir, ENDPOINTS_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = EndpointsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function removeEndpoints(dataDir: string): void {
  rmSync(join(dataDir, ENDPOINTS_FILE), { force: true });
}

/** True when the stack an endpoints file describes answers its health probe (a crashed one leaves a stale file). */
export async function isLive(endpoints: Endpoints, timeoutMs = 1500): Promise<boolean> {
  try {
    const response = await fetch(`${endpoints.api}${HEALTH_PATH}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return false;
    const body = (await response.json()) as { ok?: unknown; pid?: unknown };
    return body.ok === true && body.pid === endpoints.pid;
  } catch {
    return false;
  }
}
