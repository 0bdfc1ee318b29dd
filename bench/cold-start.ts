import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Fresh Node process → bundle imported (handler ready), measured from the process's own time
 * origin so Node's boot counts the same for ours and the bare handler. With an event, the time
 * runs until the first invocation has answered too: what the first caller really waits for
 * (the handler's logs go to /dev/null, as they would to CloudWatch, off the measured path).
 */
function oneColdStart(run: ColdStartRun, env: NodeJS.ProcessEnv, event?: unknown): number {
  const { file, node = process.execPath } = run;
  run.beforeEach?.();
  const invoke =
    event === undefined
      ? ''
      : `await m.handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10000 });`;
  const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); ${invoke} process.stderr.write(String(performance.now()));`;
  const out = spawnSync(node, ['--input-type=module', '-e', script], {
    env: { ...env, ...run.env, ...(event === undefined ? {} : { BENCH_EVENT: JSON.stringify(event) }) },
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (out.status !== 0) throw new Error(`cold start of ${file} failed: ${out.stderr}`);
  return Number(out.stderr.trim().split('\n').pop());
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One bundle to start: by default with the Node running the bench and the common environment. */
export interface ColdStartRun {
  file: string;
  /** Another Node binary (a candidate runtime). */
  node?: string;
  /** Added to the common environment. */
  env?: NodeJS.ProcessEnv;
  /** Runs before each start, outside the measured process (e.g. lays out a fresh copy of an asset). */
  beforeEach?: () => void;
}

/**
 * Median cold start of each run. Runs are interleaved (ours, bare, ours, bare…) so a machine
 * that speeds up or slows down during the run shifts every file alike instead of skewing a ratio,
 * and each round starts one file further on, so no file always follows the same one.
 */
export function coldStartMedians(
  files: readonly (string | ColdStartRun)[],
  runs: number,
  env: NodeJS.ProcessEnv,
  event?: unknown,
): number[] {
  const specs = files.map((f): ColdStartRun => (typeof f === 'string' ? { file: f } : f));
  const samples = specs.map((): number[] => []);
  for (let i = 0; i < runs; i += 1) {
    for (let j = 0; j < specs.length; j += 1) {
      const f = (i + j) % specs.length;
      const spec = specs[f];
      if (spec) samples[f]?.push(oneColdStart(spec, env, event));
    }
  }
  return samples.map(median);
}
