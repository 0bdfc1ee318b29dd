import { defaultDataDir, startLocalStack, type LocalStack } from './stack.js';
import type { Endpoints } from './endpoints.js';

/**
 * `npm start`: the whole agent on 127.0.0.1 with embedded AWS emulators. Prints what a
 * developer needs to paste into SignalWire (through a tunnel) and to inspect the data with
 * the AWS CLI. Ctrl-C / SIGTERM shut everything down and exit 0.
 */

function banner(endpoints: Endpoints, dataDir: string): string {
  const awsEnv = `AWS_REGION=${endpoints.region} AWS_ACCESS_KEY_ID=${endpoints.accessKeyId} AWS_SECRET_ACCESS_KEY=${endpoints.secretAccessKey}`;
  return [
    '',
    'recording-agent is running locally',
    '',
    `  SWML URL (paste into SignalWire): ${endpoints.swml}`,
    `  SWAIG:            ${endpoints.swaig}`,
    `  Recording status: ${endpoints.recordingStatus}`,
    `  Payment:          ${endpoints.payment}`,
    '',
    `  DynamoDB emulator: ${endpoints.dynamodb}  (table ${endpoints.table})`,
    `  S3 emulator:       ${endpoints.s3}  (bucket ${endpoints.bucket})`,
    `  Region / credentials: ${endpoints.region} / ${endpoints.accessKeyId}:${endpoints.secretAccessKey}`,
    '',
    '  Inspect the data:',
    `    ${awsEnv} aws --endpoint-url ${endpoints.dynamodb} dynamodb scan --table-name ${endpoints.table}`,
    `    ${awsEnv} aws s3 ls s3://${endpoints.bucket} --recursive --endpoint-url ${endpoints.s3}`,
    '',
    `  Data: ${dataDir} (endpoints.json there says all of the above)`,
    '  Try:  npx recording-agent simulate',
    '  Ctrl-C to stop.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}\n`);
    process.exit(2);
  }
  const dataDir = defaultDataDir();
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ dataDir, port });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'EADDRINUSE' ? `port ${port} is in use (set PORT to another one)` : String(error);
    process.stderr.write(`could not start the local stack: ${reason}\n`);
    process.exit(1);
  }
  process.stdout.write(banner(stack.endpoints, stack.dataDir));

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: shutting down\n`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

void main();
