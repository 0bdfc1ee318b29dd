import { resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { FUNCTION_BUILD_OPTIONS } from '#infra/stack/bundle.js';
import { coldStartMedians } from './cold-start.js';

/**
 * Where a house library yielded on a first request's path, the function built as it was before,
 * started beside ours and the bare handler: the bench's evidence for each such choice (README,
 * "Cold start"). One so far: the payment connector reads SignalWire's request by hand
 * (shared/payments/connector-request.ts) instead of with the zod/mini schema it replaced, which
 * test/support/connector-request-zod.ts keeps as the reference.
 */
export interface Yielded {
  name: string;
  function: string;
  /** ours − bare and with-the-library − bare, first request, ms. */
  oursOverBareMs: number;
  withLibraryOverBareMs: number;
}

/** Redirects connector.ts's import of the request reader to a shim that parses with the zod schema. */
const zodConnectorRequest: Plugin = {
  name: 'zod-connector-request',
  setup(build) {
    build.onResolve({ filter: /connector-request\.js$/ }, (args) =>
      args.importer.endsWith(resolve('shared/payments/connector.ts'))
        ? { path: resolve('bench/zod-connector-request.ts') }
        : undefined,
    );
  },
};

export async function measureYielded(
  payment: { file: string; bareFile: string; event: unknown },
  outDir: string,
  runs: number,
  env: NodeJS.ProcessEnv,
): Promise<Yielded[]> {
  const dir = resolve(outDir, 'payment-connector-zod-request');
  // As infra/stack/bundle.ts builds it, plus the redirect (plugins need esbuild's async API).
  await build({
    ...FUNCTION_BUILD_OPTIONS,
    entryPoints: ['functions/payment-connector/handler.ts'],
    outdir: dir,
    plugins: [zodConnectorRequest],
  });
  const [bare = NaN, ours = NaN, withZod = NaN] = coldStartMedians(
    [payment.bareFile, payment.file, resolve(dir, 'index.mjs')],
    runs,
    env,
    payment.event,
  );
  return [
    {
      name: "SignalWire's connector request read by a zod/mini schema",
      function: 'payment-connector',
      oursOverBareMs: ours - bare,
      withLibraryOverBareMs: withZod - bare,
    },
  ];
}
