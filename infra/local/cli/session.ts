import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLive, readEndpoints, type Endpoints } from '../endpoints.js';
import { startLocalStack } from '../stack.js';
import { AgentClient } from './agent-client.js';

/** The repository root (the folder with package.json), wherever the CLI was started from. */
const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export interface AgentSession {
  client: AgentClient;
  endpoints: Endpoints;
  /** 'running': a stack started by `npm start`; 'embedded': started by this command, stopped after it. */
  mode: 'running' | 'embedded';
  dataDir: string;
  close(): Promise<void>;
}

function credentialsOf(endpoints: Endpoints): { username: string; password: string } {
  const url = new URL(endpoints.swml);
  return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

/**
 * Finds the stack to talk to: a live one described by endpoints.json in LOCAL_DATA_DIR (or the
 * repository's `.local/`), else an embedded one for the duration of the command, persisted in
 * LOCAL_DATA_DIR when set and in a throw-away folder otherwise.
 */
export async function openSession(env: NodeJS.ProcessEnv = process.env): Promise<AgentSession> {
  const configured = env.LOCAL_DATA_DIR ? resolve(env.LOCAL_DATA_DIR) : undefined;
  const lookIn = configured ?? join(PACKAGE_ROOT, '.local');
  const running = readEndpoints(lookIn);
  if (running && (await isLive(running))) {
    return {
      client: new AgentClient({ api: running.api, ...credentialsOf(running) }),
      endpoints: running,
      mode: 'running',
      dataDir: lookIn,
      close: async () => undefined,
    };
  }
  const temporary = configured ? undefined : mkdtempSync(join(tmpdir(), 'recording-agent-cli-'));
  const dataDir = configured ?? (temporary as string);
  const stack = await startLocalStack({ dataDir, port: 0 });
  return {
    client: new AgentClient({
      api: stack.endpoints.api,
      username: stack.credentials.SWML_BASIC_AUTH_USER,
      password: stack.credentials.SWML_BASIC_AUTH_PASSWORD,
    }),
    endpoints: stack.endpoints,
    mode: 'embedded',
    dataDir,
    async close() {
      await stack.stop();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}
