import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { agentUrls } from '#shared/agent/settings.js';
import { DEFAULTS, getConfig } from '#shared/config.js';
import { emulatorEnv, LOCAL_CREDENTIALS, LOCAL_REGION, provisionStorage, startEmulators, type Emulators } from './emulators.js';
import { loadOrCreateCredentials, type LocalCredentials } from './credentials.js';
import { removeEndpoints, writeEndpoints, type Endpoints } from './endpoints.js';
import { functionRoutes } from './routes.js';
import { startLocalServer, type LocalRoute } from './server.js';
import { resetInstance } from '#shared/instance.js';
import { startLocalTranscription, type LocalTranscription } from './transcription.js';

export interface LocalStackOptions {
  /** Where emulator data, credentials.json and endpoints.json live (LOCAL_DATA_DIR, default `.local/`). */
  dataDir: string;
  /** API port (0 = any free port). */
  port: number;
  host?: string;
  /** Routes to serve; the four function routes by default. */
  routes?: LocalRoute[];
}

export interface LocalStack {
  dataDir: string;
  endpoints: Endpoints;
  credentials: LocalCredentials;
  /** The transcription pipeline (queue consumer, Transcribe stand-in, completion): `settle()` waits for it. */
  transcription: LocalTranscription;
  /** Closes the server, stops the emulators, removes endpoints.json and restores the environment. */
  stop(): Promise<void>;
}

const PORTS_FILE = 'ports.json';

/** Emulator ports of the previous run, so printed `aws --endpoint-url` commands stay valid across restarts. */
function previousPorts(dataDir: string): { dynamodb?: number; s3?: number } {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, PORTS_FILE), 'utf8')) as { dynamodb?: unknown; s3?: unknown };
    return {
      ...(typeof parsed.dynamodb === 'number' ? { dynamodb: parsed.dynamodb } : {}),
      ...(typeof parsed.s3 === 'number' ? { s3: parsed.s3 } : {}),
    };
  } catch {
    return {};
  }
}

async function startPersistedEmulators(dataDir: string): Promise<Emulators> {
  const ports = previousPorts(dataDir);
  let emulators: Emulators;
  try {
    emulators = await startEmulators({ dataDir, dynamodbPort: ports.dynamodb ?? 0, s3Port: ports.s3 ?? 0 });
  } catch (error) {
    if (ports.dynamodb === undefined && ports.s3 === undefined) throw error;
    // A previous port is taken now: any free port will do, endpoints.json says where.
    emulators = await startEmulators({ dataDir });
  }
  const portOf = (url: string) => Number(new URL(url).port);
  writeFileSync(
    join(dataDir, PORTS_FILE),
    JSON.stringify({ dynamodb: portOf(emulators.dynamodbEndpoint), s3: portOf(emulators.s3Endpoint) }),
  );
  return emulators;
}

/** Sets variables and remembers what was there, so stop() leaves the process as it found it. */
function envSetter() {
  const previous = new Map<string, string | undefined>();
  return {
    set(values: Record<string, string>) {
      for (const [key, value] of Object.entries(values)) {
        if (!previous.has(key)) previous.set(key, process.env[key]);
        process.env[key] = value;
      }
    },
    restore() {
      for (const [key, value] of previous) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

/**
 * The whole backend on one machine: embedded DynamoDB and S3 persisted under dataDir, the
 * table and bucket provisioned, credentials generated once, and the HTTP server that turns
 * requests into API Gateway events for the real handlers.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const credentials = loadOrCreateCredentials(dataDir);
  const table = process.env.TABLE_NAME || DEFAULTS.tableName;
  const bucket = process.env.BUCKET_NAME || DEFAULTS.bucketName;

  const emulators = await startPersistedEmulators(dataDir);
  const env = envSetter();
  let transcription: LocalTranscription | undefined;
  try {
    await provisionStorage(emulators, { table, bucket });
    env.set({ ...emulatorEnv(emulators), ...credentials, TABLE_NAME: table, BUCKET_NAME: bucket });
    resetInstance();
    transcription = await startLocalTranscription({ region: LOCAL_REGION });
    env.set({ AWS_ENDPOINT_URL_TRANSCRIBE: transcription.endpoint });
    resetInstance();
    const server = await startLocalServer({
      port: options.port,
      host: options.host ?? '127.0.0.1',
      routes: options.routes ?? functionRoutes(),
    });
    // Set after listening: with port 0 the URL is known only now; nothing has read config yet.
    if (!process.env.SWML_PROXY_URL_BASE) env.set({ SWML_PROXY_URL_BASE: server.url });
    resetInstance();

    // The same URLs the agent hands to SignalWire, credentials embedded.
    const { swml, swaig, recordingStatus, payment } = agentUrls(
      process.env.SWML_PROXY_URL_BASE ?? server.url,
      credentials.SWML_BASIC_AUTH_USER,
      credentials.SWML_BASIC_AUTH_PASSWORD,
      getConfig(),
    );
    const endpoints: Endpoints = {
      api: server.url,
      swml,
      swaig,
      recordingStatus,
      payment,
      dynamodb: emulators.dynamodbEndpoint,
      s3: emulators.s3Endpoint,
      region: LOCAL_REGION,
      accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
      secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
      table,
      bucket,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    writeEndpoints(dataDir, endpoints);

    const started = transcription;
    let stopped: Promise<void> | undefined;
    return {
      dataDir,
      endpoints,
      credentials,
      transcription: started,
      stop() {
        stopped ??= (async () => {
          removeEndpoints(dataDir);
          await server.close();
          await started.stop();
          await emulators.stop();
          env.restore();
          resetInstance();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await transcription?.stop();
    await emulators.stop();
    env.restore();
    resetInstance();
    throw error;
  }
}

/** LOCAL_DATA_DIR, else `.local/` under the current directory. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LOCAL_DATA_DIR || '.local');
}
