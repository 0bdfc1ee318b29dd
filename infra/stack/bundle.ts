import { buildSync, type BuildOptions, type Metafile } from 'esbuild';

/**
 * How every function is bundled, in one place: the stack deploys with it (agent-function.ts)
 * and `npm run bench` builds and starts its bundles with it, so the sizes and cold starts the
 * bench reports are those of the deployed functions.
 *
 * Code splitting (ESM): a module the code loads with `import()` lands in a chunk file of its
 * own, read and compiled only when that import runs. The payment connector needs this: its
 * audit (shared/payments/payment-audit.ts) loads the DynamoDB store and with it the AWS SDK,
 * about 400 KB whose compile alone cost a fresh process ~25 ms and whose top-level
 * `node:http`/`node:https` imports another ~20 ms, on every first payment, audited or not,
 * when it was one file (measured by `npm run bench`; issue #10 point 10). aws-lambda-nodejs'
 * NodejsFunction writes one `--outfile`, which esbuild cannot split, hence our own bundling.
 */
export const FUNCTION_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  splitting: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  // Maps ship in the asset (without sources) for reading a stack trace offline; nothing loads
  // them at run time (see FUNCTION_ENVIRONMENT).
  sourcemap: true,
  sourcesContent: false,
  // The Lambda runtime loads `index.mjs` as ESM and calls its `handler` export.
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // The AWS SDK probes its optional CRT signer with require() inside a try; ESM has no
  // require, so give it one (the probe then fails cleanly, as it would in CommonJS).
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** The Lambda handler setting of every function: `handler` exported by the entry file. */
export const FUNCTION_HANDLER = 'index.handler';

/**
 * Bundles one function's entry into `outDir` (index.mjs, its chunks and maps): the asset the
 * stack uploads, and what the bench starts. Extra options are for the bench alone (e.g. a
 * metafile, or module paths for its generated baseline handlers).
 */
export function bundleFunction(entry: string, outDir: string, extra: BuildOptions = {}): { metafile?: Metafile } {
  const result = buildSync({ ...FUNCTION_BUILD_OPTIONS, ...extra, entryPoints: [entry], outdir: outDir });
  return result.metafile ? { metafile: result.metafile } : {};
}

/**
 * The output files a fresh process loads before its first line runs: the entry and the chunks
 * it imports statically (transitively); chunks behind `import()` load only when that runs.
 */
export function loadedAtStart(metafile: Metafile): string[] {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((o) => o.endsWith('index.mjs'));
  const seen = new Set<string>();
  const visit = (output: string | undefined): void => {
    if (output === undefined || seen.has(output)) return;
    seen.add(output);
    for (const imported of outputs[output]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen];
}

/**
 * The environment every function starts with, besides its own settings. No NODE_OPTIONS: with
 * `--enable-source-maps` Node reads and parses the bundle's source map on every cold start,
 * about 10 ms before the first request of swml or payment-connector can be answered (measured
 * by npm run bench); set it on a function by hand while debugging if mapped stacks are needed.
 */
export const FUNCTION_ENVIRONMENT = {
  LOG_LEVEL: 'INFO',
} as const;
