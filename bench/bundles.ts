import { build, type Metafile } from 'esbuild';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FUNCTION_BUNDLE } from '#infra/stack/bundle.js';

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
  bytes: number;
  bareFile: string;
  bareBytes: number;
  /** Bare handler + house libraries, see {@link houseLibrariesSource}. */
  floorFile: string;
  containsAwsSdk: boolean;
}

/** The esbuild options of the CDK stack (infra/stack/bundle.ts), so bundles are as deployed. */
const OPTIONS = {
  bundle: true,
  format: 'esm' as const,
  platform: 'node' as const,
  target: FUNCTION_BUNDLE.target,
  mainFields: [...FUNCTION_BUNDLE.mainFields],
  minify: FUNCTION_BUNDLE.minify,
  sourcemap: FUNCTION_BUNDLE.sourceMap,
  sourcesContent: FUNCTION_BUNDLE.sourcesContent,
  metafile: true,
  logLevel: 'silent' as const,
  banner: { js: FUNCTION_BUNDLE.banner },
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
    writeFileSync(floorEntry, houseLibrariesSource(fn.sdk));
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

/**
 * The house libraries added one at a time to a bare handler that needs no AWS SDK (as swml and
 * payment-connector): entry `i` has the first `i + 1` of {@link HOUSE_LIBRARIES}; the last one
 * is the house floor of those functions.
 */
export async function buildHouseLibrarySteps(outDir: string): Promise<{ library: string; file: string }[]> {
  mkdirSync(outDir, { recursive: true });
  const steps: { library: string; file: string }[] = [];
  for (const [i, library] of HOUSE_LIBRARIES.entries()) {
    const entry = join(outDir, `house-${i + 1}-entry.mjs`);
    writeFileSync(entry, houseLibrariesSource([], i + 1));
    const file = join(outDir, `house-${i + 1}.mjs`);
    await build({ ...OPTIONS, entryPoints: [entry], outfile: file, nodePaths: [resolve('node_modules')] });
    steps.push({ library, file });
  }
  return steps;
}
