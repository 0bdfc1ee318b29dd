import type { BuildOptions, Metafile } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleFunction, loadedAtStart } from '#infra/stack/bundle.js';

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
 * The libraries the house rules prefer, used by every function, each wired the way its docs
 * show: middy; Powertools Logger with its context middleware; Powertools Metrics with
 * `logMetrics` (built at import, flushed after every request); zod/mini with its English
 * messages, parsing the environment. In this order, each on top of the ones before.
 */
export const HOUSE_LIBRARIES = ['middy', 'Powertools Logger', 'Powertools Metrics', 'zod/mini'] as const;

/**
 * The bare handler plus the first `count` {@link HOUSE_LIBRARIES} and no code of ours. With all
 * of them it is the "house floor": the least any function built by those rules can cost,
 * reported next to each budget so a miss can be told apart from overhead of our own making.
 */
function houseLibrariesSource(sdk: readonly string[], count: number = HOUSE_LIBRARIES.length): string {
  const has = (library: (typeof HOUSE_LIBRARIES)[number]) => HOUSE_LIBRARIES.indexOf(library) < count;
  const lines = [bareHandlerSource(sdk).replace('export const handler =', 'const bare =')];
  lines.push("import middy from '@middy/core';");
  let logLevel = "'INFO'";
  if (has('zod/mini')) {
    lines.push(
      "import * as z from 'zod/mini';",
      "import en from 'zod/v4/locales/en.js';",
      'z.config(en());',
      'const env = z.object({ LOG_LEVEL: z.optional(z.string()) }).parse(process.env);',
    );
    logLevel = "env.LOG_LEVEL ?? 'INFO'";
  }
  let handler = 'middy(bare)';
  if (has('Powertools Logger')) {
    lines.push(
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
      `const logger = new Logger({ serviceName: 'floor', logLevel: ${logLevel} });`,
    );
    handler += '.use(injectLambdaContext(logger, { resetKeys: true }))';
  }
  if (has('Powertools Metrics')) {
    lines.push(
      "import { Metrics } from '@aws-lambda-powertools/metrics';",
      "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
      "const metrics = new Metrics({ namespace: 'floor', serviceName: 'floor' });",
    );
    handler += '.use(logMetrics(metrics))';
  }
  lines.push(`export const handler = ${handler};`);
  return `${lines.join('\n')}\n`;
}

export interface BundleResult {
  name: string;
  file: string;
  /** Code a fresh process loads before its first line runs (see loadedAtStart in infra/stack/bundle.ts). */
  bytes: number;
  /** Every code file of the asset, chunks loaded on demand included. */
  totalBytes: number;
  bareFile: string;
  bareBytes: number;
  /** Bare handler + house libraries, see {@link houseLibrariesSource}. */
  floorFile: string;
  /** Where the AWS SDK is: loaded at start, in a chunk loaded on demand, or nowhere. */
  awsSdk: 'at start' | 'on demand' | 'none';
}

/** Where the bench's baseline handlers find their packages (they are generated outside the project). */
export const BASELINE_OPTIONS = { nodePaths: [resolve('node_modules')] };

/** Bundles an entry with the stack's options (infra/stack/bundle.ts) into `dir`; the file a fresh process imports. */
export function bundleAsDeployed(entry: string, dir: string, extra: BuildOptions = {}): { file: string; metafile: Metafile } {
  rmSync(dir, { recursive: true, force: true });
  const { metafile } = bundleFunction(entry, dir, { ...extra, metafile: true, logLevel: 'silent' });
  if (!metafile) throw new Error(`esbuild gave no metafile for ${entry}`);
  return { file: join(dir, 'index.mjs'), metafile };
}

const hasAwsSdk = (metafile: Metafile, outputs: readonly string[]): boolean =>
  outputs.some((o) => Object.keys(metafile.outputs[o]?.inputs ?? {}).some((input) => input.includes('node_modules/@aws-sdk/')));

const codeOutputs = (metafile: Metafile): string[] => Object.keys(metafile.outputs).filter((o) => o.endsWith('.mjs'));

const bytesOf = (metafile: Metafile, outputs: readonly string[]): number =>
  outputs.reduce((sum, o) => sum + (metafile.outputs[o]?.bytes ?? 0), 0);

export function buildBundles(outDir: string): BundleResult[] {
  mkdirSync(outDir, { recursive: true });
  const results: BundleResult[] = [];
  for (const fn of FUNCTIONS) {
    const ours = bundleAsDeployed(resolve(fn.entry), join(outDir, fn.name));
    const bareEntry = join(outDir, `${fn.name}-bare-entry.mjs`);
    writeFileSync(bareEntry, bareHandlerSource(fn.sdk));
    const bare = bundleAsDeployed(bareEntry, join(outDir, `${fn.name}-bare`), BASELINE_OPTIONS);
    const floorEntry = join(outDir, `${fn.name}-floor-entry.mjs`);
    writeFileSync(floorEntry, houseLibrariesSource(fn.sdk));
    const floor = bundleAsDeployed(floorEntry, join(outDir, `${fn.name}-floor`), BASELINE_OPTIONS);
    const atStart = loadedAtStart(ours.metafile);
    const all = codeOutputs(ours.metafile);
    results.push({
      name: fn.name,
      file: ours.file,
      bytes: bytesOf(ours.metafile, atStart),
      totalBytes: bytesOf(ours.metafile, all),
      bareFile: bare.file,
      bareBytes: bytesOf(bare.metafile, codeOutputs(bare.metafile)),
      floorFile: floor.file,
      awsSdk: hasAwsSdk(ours.metafile, atStart) ? 'at start' : hasAwsSdk(ours.metafile, all) ? 'on demand' : 'none',
    });
  }
  return results;
}

/**
 * The house libraries added one at a time to a bare handler that needs no AWS SDK (as swml and
 * payment-connector): entry `i` has the first `i + 1` of {@link HOUSE_LIBRARIES}; the last one
 * is the house floor of those functions.
 */
export function buildHouseLibrarySteps(outDir: string): { library: string; file: string }[] {
  mkdirSync(outDir, { recursive: true });
  const steps: { library: string; file: string }[] = [];
  for (const [i, library] of HOUSE_LIBRARIES.entries()) {
    const entry = join(outDir, `house-${i + 1}-entry.mjs`);
    writeFileSync(entry, houseLibrariesSource([], i + 1));
    const { file } = bundleAsDeployed(entry, join(outDir, `house-${i + 1}`), BASELINE_OPTIONS);
    steps.push({ library, file });
  }
  return steps;
}
