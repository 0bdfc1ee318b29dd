import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The session token the stand-in expects (the real extension checks AWS_SESSION_TOKEN). */
export const EXTENSION_TOKEN = 'test-session-token';

export interface SecretsExtensionStandIn {
  /** Port for PARAMETERS_SECRETS_EXTENSION_HTTP_PORT. */
  port: string;
  /** secretId → SecretString, or an HTTP status to answer with instead. Change it between tests. */
  secrets: Map<string, string | number>;
  /** Every request's secretId, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A local stand-in (127.0.0.1, random port) for the AWS Parameters and Secrets Lambda
 * Extension's HTTP API: `GET /secretsmanager/get?secretId=…` with the
 * `X-Aws-Parameters-Secrets-Token` header, answering `{ARN, Name, SecretString, …}` like
 * Secrets Manager's GetSecretValue. No extension runs outside Lambda, hence a stand-in.
 */
export async function startSecretsExtensionStandIn(): Promise<SecretsExtensionStandIn> {
  const secrets = new Map<string, string | number>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const secretId = url.searchParams.get('secretId') ?? '';
    requests.push(secretId);
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname !== '/secretsmanager/get') return send(404, { message: 'not found' });
    if (req.headers['x-aws-parameters-secrets-token'] !== EXTENSION_TOKEN) return send(401, { message: 'missing token' });
    const value = secrets.get(secretId);
    if (value === undefined) return send(400, { __type: 'ResourceNotFoundException' });
    if (typeof value === 'number') return send(value, { message: 'stand-in failure' });
    return send(200, { ARN: secretId, Name: 'stand-in', SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: String((server.address() as AddressInfo).port),
    secrets,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
