import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { loadSecrets, loadSignalWireProject, requireCallerHashSecret } from '#shared/aws/secrets.js';
import { getConfig, parseConfig } from '#shared/config.js';
import { metrics } from '#shared/observability/metrics.js';
import { signalwireHandler } from '#shared/http/handler.js';
import { json } from '#shared/http/response.js';
import { archiveWorkerCore } from '#shared/recordings/archive-worker-core.js';
import { captureLogs } from '#test/support/logs.js';
import { EXTENSION_TOKEN, startSecretsExtensionStandIn, type SecretsExtensionStandIn } from '#test/support/secrets-extension.js';
import { apiEvent, lambdaContext } from '#test/support/signalwire.js';
import { TEST_SECRETS } from '#test/support/storage.js';
import { resetInstance } from '#shared/instance.js';

// The SignalWire project settings loader (shared/aws/secrets.ts) against a local stand-in for
// the Parameters and Secrets extension, over real HTTP, as the deployed functions read it.

const ARN = 'arn:aws:secretsmanager:us-east-1:210987654321:secret:signalwire-project-AbCdEf';
const PUBLIC_BASE = 'https://agent.example.com';
const saved = { ...process.env };
let extension: SecretsExtensionStandIn;

const secretJson = (values: Partial<Record<'projectId' | 'apiToken' | 'signingKey' | 'spaceUrl', string>>) =>
  JSON.stringify({ projectId: '', apiToken: '', signingKey: '', spaceUrl: '', ...values });

beforeAll(async () => {
  extension = await startSecretsExtensionStandIn();
});
afterAll(async () => {
  process.env = saved;
  resetInstance();
  await extension.close();
});
beforeEach(() => {
  process.env = { ...saved, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: extension.port, AWS_SESSION_TOKEN: EXTENSION_TOKEN };
  for (const name of [
    'SIGNALWIRE_SIGNING_KEY',
    'SIGNALWIRE_PROJECT_ID',
    'SIGNALWIRE_API_TOKEN',
    'SIGNALWIRE_SPACE_URL',
    'SIGNALWIRE_SECRET_ARN',
  ]) {
    delete process.env[name];
  }
  extension.secrets.clear();
  extension.requests.length = 0;
  resetInstance();
});

describe('loadSignalWireProject', () => {
  it('without SIGNALWIRE_SECRET_ARN returns the SIGNALWIRE_* variables and asks no extension', async () => {
    // Prepare
    const config = parseConfig({
      SIGNALWIRE_PROJECT_ID: 'env-project',
      SIGNALWIRE_API_TOKEN: 'env-token',
      SIGNALWIRE_SPACE_URL: 'https://env.signalwire.com/',
    });
    // Act
    const project = await loadSignalWireProject(config);
    // Assess
    expect(project).toMatchObject({
      SIGNALWIRE_PROJECT_ID: 'env-project',
      SIGNALWIRE_API_TOKEN: 'env-token',
      SIGNALWIRE_SPACE_URL: 'https://env.signalwire.com',
    });
    expect(project.SIGNALWIRE_SIGNING_KEY).toBeUndefined();
    expect(extension.requests).toEqual([]);
  });

  it("overlays the secret's non-empty values on the env values, by the config's rules", async () => {
    // Prepare: the operator filled three of four; the API token stays the env's.
    extension.secrets.set(
      ARN,
      secretJson({ projectId: 'secret-project', signingKey: 'PSK_secret', spaceUrl: 'https://acme.signalwire.com/' }),
    );
    const config = parseConfig({
      SIGNALWIRE_SECRET_ARN: ARN,
      SIGNALWIRE_PROJECT_ID: 'env-project',
      SIGNALWIRE_API_TOKEN: 'env-token',
    });
    // Act
    const project = await loadSignalWireProject(config);
    // Assess
    expect(project).toMatchObject({
      SIGNALWIRE_PROJECT_ID: 'secret-project',
      SIGNALWIRE_API_TOKEN: 'env-token',
      SIGNALWIRE_SIGNING_KEY: 'PSK_secret',
      SIGNALWIRE_SPACE_URL: 'https://acme.signalwire.com',
    });
    expect(extension.requests).toEqual([ARN]);
  });

  it("leaves everything unset while the secret holds only the stack's placeholders", async () => {
    extension.secrets.set(ARN, secretJson({}));
    const project = await loadSignalWireProject(parseConfig({ SIGNALWIRE_SECRET_ARN: ARN }));
    for (const name of [
      'SIGNALWIRE_SIGNING_KEY',
      'SIGNALWIRE_PROJECT_ID',
      'SIGNALWIRE_API_TOKEN',
      'SIGNALWIRE_SPACE_URL',
    ] as const) {
      expect(project[name], name).toBeUndefined();
    }
  });

  it('loads once per instance: later calls with the same config ask the extension nothing', async () => {
    extension.secrets.set(ARN, secretJson({ signingKey: 'PSK_once' }));
    const config = parseConfig({ SIGNALWIRE_SECRET_ARN: ARN });
    const [a, b] = await Promise.all([loadSignalWireProject(config), loadSignalWireProject(config)]);
    extension.secrets.set(ARN, secretJson({ signingKey: 'PSK_changed' }));
    const c = await loadSignalWireProject(config);
    expect([a, b, c].map((p) => p.SIGNALWIRE_SIGNING_KEY)).toEqual(['PSK_once', 'PSK_once', 'PSK_once']);
    expect(extension.requests).toEqual([ARN]);
  });

  it('forgets a failed load, so the next invocation tries again', async () => {
    // Prepare: the extension fails once (e.g. Secrets Manager throttled), then answers.
    extension.secrets.set(ARN, 500);
    const config = parseConfig({ SIGNALWIRE_SECRET_ARN: ARN });
    // Act + Assess
    await expect(loadSignalWireProject(config)).rejects.toThrow(/secrets extension answered 500/);
    extension.secrets.set(ARN, secretJson({ signingKey: 'PSK_second' }));
    expect((await loadSignalWireProject(config)).SIGNALWIRE_SIGNING_KEY).toBe('PSK_second');
    expect(extension.requests).toEqual([ARN, ARN]);
  });

  it('sends the session token the extension requires', async () => {
    extension.secrets.set(ARN, secretJson({ signingKey: 'PSK_x' }));
    process.env.AWS_SESSION_TOKEN = 'some-other-token';
    await expect(loadSignalWireProject(parseConfig({ SIGNALWIRE_SECRET_ARN: ARN }))).rejects.toThrow(/401/);
  });

  it('drops a bad value alone (logged by key, counted, never echoed) and keeps the others', async () => {
    // Prepare: a typo in spaceUrl must not cost the signing key (every /swml request) or the API token.
    const logs = captureLogs();
    try {
      const config = parseConfig({ SIGNALWIRE_SECRET_ARN: ARN, SIGNALWIRE_SPACE_URL: 'https://env.signalwire.com' });
      extension.secrets.set(
        ARN,
        secretJson({ apiToken: 'PT-very-secret', signingKey: 'PSK_kept', spaceUrl: 'acme PT-very-secret' }),
      );
      // Act
      const project = await loadSignalWireProject(config);
      // Assess: the bad key is as if unset (not even the env's value stands in for a filled one).
      expect(project).toEqual({ SIGNALWIRE_API_TOKEN: 'PT-very-secret', SIGNALWIRE_SIGNING_KEY: 'PSK_kept' });
      const line = logs.lines().find((l) => l.includes('SignalWire secret value ignored'));
      expect(line).toContain('"key":"spaceUrl"');
      expect(line).toContain('"level":"ERROR"');
      expect(logs.text()).not.toContain('very-secret');
      expect(metrics().hasStoredMetrics()).toBe(true);
    } finally {
      logs.restore();
    }
  });

  it('treats a non-JSON secret as empty (the env values apply), logged without echoing it', async () => {
    const logs = captureLogs();
    try {
      const config = parseConfig({ SIGNALWIRE_SECRET_ARN: ARN, SIGNALWIRE_SIGNING_KEY: 'env-key' });
      extension.secrets.set(ARN, '{"apiToken": PT-very-secret');
      const project = await loadSignalWireProject(config);
      expect(project).toEqual({ SIGNALWIRE_SIGNING_KEY: 'env-key' });
      expect(logs.text()).toContain('not JSON');
      expect(logs.text()).not.toContain('very-secret');
    } finally {
      logs.restore();
    }
  });
});

describe('signature middleware with the signing key from the SignalWire secret', () => {
  const reached: string[] = [];
  const handler = signalwireHandler(
    async (event) => {
      reached.push(event.rawBody);
      return json(200, { ok: true });
    },
    { signature: 'required' },
  );
  const body = '{"call":{"call_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6"}}';
  const sign = (key: string) => createHmac('sha1', key).update(`${PUBLIC_BASE}/swml${body}`).digest('hex');
  const request = (signature: string) =>
    handler(apiEvent({ path: '/swml', rawBody: body, headers: { 'x-signalwire-signature': signature } }), lambdaContext('swml'));
  let logs: ReturnType<typeof captureLogs>;

  beforeEach(() => {
    // An old key in the environment: the secret's value must win over it.
    Object.assign(process.env, TEST_SECRETS, {
      SWML_PROXY_URL_BASE: PUBLIC_BASE,
      SIGNALWIRE_SECRET_ARN: ARN,
      SIGNALWIRE_SIGNING_KEY: 'env-old-key',
    });
    resetInstance();
    reached.length = 0;
    logs = captureLogs();
    return () => logs.restore();
  });

  it("accepts a request signed with the secret's key and refuses the env's old one", async () => {
    extension.secrets.set(ARN, secretJson({ signingKey: 'PSK_from_secret' }));
    expect((await request(sign('PSK_from_secret'))).statusCode).toBe(200);
    const refused = await request(sign('env-old-key'));
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'invalid_signature' } });
    expect(reached).toHaveLength(1);
    expect(getConfig().SIGNALWIRE_SIGNING_KEY).toBe('env-old-key');
  });

  it('fails closed when the secret cannot be read: 500, the core never runs, the key never logged', async () => {
    extension.secrets.set(ARN, 503);
    const result = await request(sign('env-old-key'));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ error: { code: 'internal_error', message: 'internal error' } });
    expect(reached).toEqual([]);
    expect(logs.text()).not.toContain('env-old-key');
    // Handled as a 500, so Lambda's Errors stays 0: the EMF count is what the UnhandledErrors alarm sees.
    expect(logs.text()).toContain('"UnhandledError"');
  });
});

describe('archive worker without SignalWire credentials', () => {
  it('reports every job failed (retry, then the alarmed DLQ) instead of dropping it', async () => {
    // Prepare: the secret holds placeholders only, the environment nothing.
    extension.secrets.set(ARN, secretJson({}));
    process.env.SIGNALWIRE_SECRET_ARN = ARN;
    resetInstance();
    const logs = captureLogs();
    const event = {
      Records: [
        { messageId: 'm1', body: '{}' },
        { messageId: 'm2', body: '{}' },
      ],
    } as unknown as SQSEvent;
    try {
      // Act
      const response = await archiveWorkerCore(event);
      // Assess
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
      expect(logs.text()).toContain('no SignalWire project credentials');
    } finally {
      logs.restore();
    }
  });
});

describe('loadSecrets: the payment connector’s secret has no caller-hash key', () => {
  const AGENT_ARN = 'arn:aws:secretsmanager:us-east-1:210987654321:secret:agent-payment-AbCdEf';

  it('loads without callerHashSecret, and a function that needs the key refuses to run on it', async () => {
    extension.secrets.set(
      AGENT_ARN,
      JSON.stringify({ username: 'signalwire', password: 'p'.repeat(24), tokenSecret: 't'.repeat(32) }),
    );
    const config = parseConfig({ AGENT_SECRET_ARN: AGENT_ARN });
    const secrets = await loadSecrets(config);
    expect(secrets).toEqual({ username: 'signalwire', password: 'p'.repeat(24), tokenSecret: 't'.repeat(32) });
    expect(() => requireCallerHashSecret(secrets)).toThrow(/no callerHashSecret/);
  });

  it('still refuses a secret without the token key', async () => {
    extension.secrets.set(AGENT_ARN, JSON.stringify({ password: 'p'.repeat(24), callerHashSecret: 'c'.repeat(32) }));
    await expect(loadSecrets(parseConfig({ AGENT_SECRET_ARN: AGENT_ARN }))).rejects.toThrow(/missing password or tokenSecret/);
  });
});
