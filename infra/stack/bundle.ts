/**
 * How every function is bundled and started, in one place: the stack deploys with it
 * (agent-function.ts) and `npm run bench` builds and starts its bundles with it, so the sizes
 * and cold starts the bench reports are those of the deployed functions.
 */
export const FUNCTION_BUNDLE = {
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  // Maps ship in the asset (without sources) for reading a stack trace offline; nothing loads
  // them at run time (see FUNCTION_ENVIRONMENT).
  sourceMap: true,
  sourcesContent: false,
  // The AWS SDK probes its optional CRT signer with require() inside a try; ESM has no
  // require, so give it one (the probe then fails cleanly, as it would in CommonJS).
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
} as const;

/**
 * The environment every function starts with, besides its own settings. No NODE_OPTIONS: with
 * `--enable-source-maps` Node reads and parses the bundle's source map on every cold start,
 * about 10 ms before the first request of swml or payment-connector can be answered (measured
 * by npm run bench); set it on a function by hand while debugging if mapped stacks are needed.
 */
export const FUNCTION_ENVIRONMENT = {
  LOG_LEVEL: 'INFO',
} as const;
