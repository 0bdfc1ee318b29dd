import { build, type Metafile } from 'esbuild';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The four SignalWire-facing functions, and the AWS SDK clients each one really needs. */
export const FUNCTIONS = [
  { name: 'swml', entry: 'functions/swml/handler.ts', sdk: [] as string[] },
  { name: 'swaig', entry: 'functions/swaig/handler.ts', sdk: ['dynamodb'] },
  { name: 'recording-status', entry: 'functions/recording-status/handler.ts', sdk: ['dynamodb', 's3', 'sqs'] },
  { name: 'payment-connector', entry: 'functions/payment-connector/handler.ts', sdk: [] as string[] },
] as const;

const SDK_IMPORTS: Record<string, string> = {
  dynamodb:
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nconst dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));",
  s3: "import { S3Client } from '@aws-sdk/client-s3';\nconst s3 = new S3Client({});",
  sqs: "import { SQSClient } from '@aws-sdk/client-sqs';\nconst sqs = new SQSClient({});",
};

/** A handler that does nothing but load the SDK clients the real function needs: the floor we compare against. */
function bareHandlerSource(sdk: readonly string[]): string {
  const uses = sdk.map((s) => (s === 'dynamodb' ? 'dynamo' : s));
  return `${sdk.map((s) => SDK_IMPORTS[s]).join('\n')}
export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ ok: ${JSON.stringify(uses)}.length >= 0${uses.map((u) => ` && !!${u}`).join('')} }) });
`;
}

/**
 * The bare handler plus the libraries the house rules prefer, used by every function (Powertools
 * logger and metrics, middy, zod/mini with its English messages), constructed as our functions
 * construct them, and no code of ours: the least any function built by those rules can cost.
 * Reported next to the budget so a miss can be told apart from overhead of our own making.
 */
function houseFloorSource(sdk: readonly string[]): string {
  return `${bareHandlerSource(sdk).replace('export const handler =', 'const bare =')}
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
z.config(en());
const env = z.object({ LOG_LEVEL: z.optional(z.string()) }).parse(process.env);
const logger = new Logger({ serviceName: 'floor', logLevel: env.LOG_LEVEL ?? 'INFO' });
const metrics = new Metrics({ namespace: 'floor', serviceName: 'floor' });
export const handler = middy(bare).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
`;
}

export interface BundleResult {
  name: string;
  file: string;
  bytes: number;
  bareFile: string;
  bareBytes: number;
  /** Bare handler + house libraries, see {@link houseFloorSource}. */
  floorFile: string;
  containsAwsSdk: boolean;
}

/** The same esbuild options the CDK stack uses (infra/stack/agent-function.ts), so sizes are as deployed. */
const OPTIONS = {
  bundle: true,
  minify: true,
  format: 'esm' as const,
  platform: 'node' as const,
  target: 'node22',
  mainFields: ['module', 'main'],
  metafile: true,
  logLevel: 'silent' as const,
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
};

function hasAwsSdk(metafile: Metafile): boolean {
  return Object.keys(metafile.inputs).some((input) => input.includes('node_modules/@aws-sdk/'));
}

export async function buildBundles(outDir: string): Promise<BundleResult[]> {
  mkdirSync(outDir, { recursive: true });
  const results: BundleResult[] = [];
  for (const fn of FUNCTIONS) {
    const file = join(outDir, `${fn.name}.mjs`);
    const ours = await build({ ...OPTIONS, entryPoints: [resolve(fn.entry)], outfile: file });
    const bareEntry = join(outDir, `${fn.name}-bare-entry.mjs`);
    writeFileSync(bareEntry, bareHandlerSource(fn.sdk));
    const bareFile = join(outDir, `${fn.name}-bare.mjs`);
    await build({ ...OPTIONS, entryPoints: [bareEntry], outfile: bareFile, nodePaths: [resolve('node_modules')] });
    const floorEntry = join(outDir, `${fn.name}-floor-entry.mjs`);
    writeFileSync(floorEntry, houseFloorSource(fn.sdk));
    const floorFile = join(outDir, `${fn.name}-floor.mjs`);
    await build({ ...OPTIONS, entryPoints: [floorEntry], outfile: floorFile, nodePaths: [resolve('node_modules')] });
    results.push({
      name: fn.name,
      file,
      bytes: statSync(file).size,
      bareFile,
      bareBytes: statSync(bareFile).size,
      floorFile,
      containsAwsSdk: ours.metafile ? hasAwsSdk(ours.metafile) : true,
    });
  }
  return results;
}
