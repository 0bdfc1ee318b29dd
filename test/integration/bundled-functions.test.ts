import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentConnectorBody, simulatedCall, swmlRequestBody } from '#infra/local/cli/signalwire-payloads.js';
import { bundleFunction, loadedAtStart } from '#infra/stack/bundle.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { paymentConnectorUrl } from '#shared/payments/call-token.js';
import { apiEvent } from '#test/support/signalwire.js';
import { startTestStorage, TEST_SECRETS, type TestStorage } from '#test/support/storage.js';

/**
 * The functions as Lambda runs them: bundled by the stack's own bundler (code-split ESM,
 * infra/stack/bundle.ts) and started in a fresh Node process that imports `index.mjs`, with
 * storage on the embedded emulators. The other tests run the TypeScript sources; these prove the
 * asset works, chunks loaded on demand included.
 */
let storage: TestStorage;
let outDir: string;

beforeAll(async () => {
  storage = await startTestStorage();
  outDir = mkdtempSync(join(tmpdir(), 'bundled-functions-'));
});

afterAll(async () => {
  await storage?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

/**
 * Imports the bundle in a fresh process, invokes its handler once with `event`, returns the
 * result and the log lines. Asynchronously: the emulators answer from this process, so it must not block.
 */
async function invokeFresh(file: string, event: unknown): Promise<{ statusCode: number; body: string; logs: string }> {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
const result = await m.handler(JSON.parse(process.env.EVENT), { awsRequestId: 'bundled', functionName: 'bundled', getRemainingTimeInMillis: () => 10000 });
process.stderr.write('RESULT ' + JSON.stringify(result) + '\\n');`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...storage.env, LOG_LEVEL: 'INFO', EVENT: JSON.stringify(event) },
    encoding: 'utf8',
  });
  const line = stderr.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`bundled handler gave no result: ${stderr.slice(0, 2000)}`);
  return { ...(JSON.parse(line.slice('RESULT '.length)) as { statusCode: number; body: string }), logs: stdout + stderr };
}

const inputsOf = (metafile: Metafile, outputs: readonly string[]): string[] =>
  outputs.flatMap((o) => Object.keys(metafile.outputs[o]?.inputs ?? {}));

describe('bundled payment connector', () => {
  let file: string;
  let metafile: Metafile;

  beforeAll(() => {
    const dir = join(outDir, 'payment-connector');
    const built = bundleFunction('functions/payment-connector/handler.ts', dir, { metafile: true, logLevel: 'silent' });
    if (!built.metafile) throw new Error('no metafile');
    metafile = built.metafile;
    file = join(dir, 'index.mjs');
  });

  it('loads no AWS SDK at start: the audit store and the SDK sit in a chunk loaded on demand', () => {
    const atStart = inputsOf(metafile, loadedAtStart(metafile));
    expect(atStart.some((i) => i.includes('shared/payments/payment-connector-core.ts'))).toBe(true);
    expect(atStart.filter((i) => i.includes('node_modules/@aws-sdk/'))).toEqual([]);
    const everything = inputsOf(metafile, Object.keys(metafile.outputs));
    expect(everything.some((i) => i.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
  });

  it('answers an audited payment in a fresh process and writes the outcome to the call’s audit trail', async () => {
    const callId = simulatedCall().callId;
    const url = new URL(paymentConnectorUrl('https://agent.example.com/payment', callId, TEST_SECRETS.TOKEN_SECRET, 600));
    const result = await invokeFresh(
      file,
      apiEvent({
        path: '/payment',
        body: paymentConnectorBody({ amount: '12.50' }),
        query: Object.fromEntries(url.searchParams),
      }),
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ charge_id: expect.stringMatching(/^ch_test_/), error_code: null });
    const events = await new DynamoConsentStore().listEvents(callId);
    expect(events.map((e) => [e.type, e.detail])).toEqual([['payment_result', { outcome: 'approved', kind: 'charge' }]]);
  });

  it('answers a payment without a call token, with nothing to audit it on', async () => {
    const result = await invokeFresh(file, apiEvent({ path: '/payment', body: paymentConnectorBody({ amount: '3.00' }) }));
    expect(result.statusCode).toBe(200);
    expect(result.logs).toContain('payment outcome not audited: no valid call token in the connector URL');
    expect(result.logs).toContain('"PaymentUnknownCall":1');
    expect(result.logs).not.toContain('could not be audited');
  });
});

describe('bundled swml', () => {
  it('serves the SWML document from a fresh process', async () => {
    const dir = join(outDir, 'swml');
    bundleFunction('functions/swml/handler.ts', dir, { logLevel: 'silent' });
    const result = await invokeFresh(join(dir, 'index.mjs'), apiEvent({ path: '/swml', body: swmlRequestBody(simulatedCall()) }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ version: '1.0.0', sections: { main: expect.any(Array) } });
  });
});
