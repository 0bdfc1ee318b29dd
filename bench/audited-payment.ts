import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_OPTIONS, bundleAsDeployed } from './bundles.js';
import { coldStartMedians } from './cold-start.js';

/**
 * The first payment as production sees it: its connector URL carries the call token, so the
 * connector audits the outcome (shared/payments/payment-audit.ts) and loads its DynamoDB store
 * on demand (a chunk of its own, infra/stack/bundle.ts). Against a bare handler that loads the
 * DynamoDB client at start and makes one write, both in fresh processes with the table on the
 * local emulator: the difference is our code plus the audit's extra round trips (the write
 * gate's enter and leave around the event), not the SDK, which both load. Reported, no budget:
 * the emulator's latency is not DynamoDB's.
 */
export interface AuditedPayment {
  oursMs: number;
  bareWriteMs: number;
}

const BARE_WRITE_SOURCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async () => {
  await dynamo.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: { pk: 'BENCH#bare', sk: 'write' } }));
  return { statusCode: 200, body: '{}' };
};
`;

/** Starts bench/emulator-process.ts and returns its environment and a stop function. */
async function emulatorProcess(): Promise<{ env: Record<string, string>; stop: () => void }> {
  const child = spawn('tsx', ['bench/emulator-process.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await createInterface({ input: child.stdout })
    [Symbol.asyncIterator]()
    .next()
    .then((r) => [r.value]);
  if (typeof line !== 'string') throw new Error('the emulator process printed no environment');
  return { env: JSON.parse(line) as Record<string, string>, stop: () => child.stdin.end() };
}

export async function measureAuditedPayment(input: {
  oursFile: string;
  event: unknown;
  outDir: string;
  runs: number;
  env: NodeJS.ProcessEnv;
}): Promise<AuditedPayment> {
  const entry = join(input.outDir, 'payment-connector-bare-write-entry.mjs');
  writeFileSync(entry, BARE_WRITE_SOURCE);
  const bare = bundleAsDeployed(entry, join(input.outDir, 'payment-connector-bare-write'), BASELINE_OPTIONS);
  const emulators = await emulatorProcess();
  try {
    const env = { ...input.env, ...emulators.env };
    const [oursMs = NaN, bareWriteMs = NaN] = coldStartMedians([input.oursFile, bare.file], input.runs, env, input.event);
    return { oursMs, bareWriteMs };
  } finally {
    emulators.stop();
  }
}
