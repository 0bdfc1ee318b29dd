import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Fresh Node process → bundle imported (handler ready), measured from the process's own time
 * origin so Node's boot counts the same for ours and the bare handler.
 */
function oneColdStart(file: string, env: NodeJS.ProcessEnv): number {
  const script = `await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now()));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`cold start of ${file} failed: ${out.stderr}`);
  return Number(out.stdout);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function coldStartMedian(file: string, runs: number, env: NodeJS.ProcessEnv): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(oneColdStart(file, env));
  return median(samples);
}
