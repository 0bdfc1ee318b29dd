import { performance } from 'node:perf_hooks';

export interface LatencyResult {
  name: string;
  iterations: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Warm, in-process latency of one operation: a short warm-up, then `iterations` timed calls in
 * sequence. Each call's input (a request event, say) is built before its clock starts: what
 * SignalWire sends arrives built, so building it (UUIDs, JSON, base64 auth) is the bench's work,
 * not the operation's; timed, it was some 40% of what a warm SWAIG dispatch measured.
 */
export async function measureLatency<Input>(
  name: string,
  iterations: number,
  input: (i: number) => Input,
  operation: (input: Input) => Promise<unknown> | unknown,
): Promise<LatencyResult> {
  for (let i = 0; i < Math.min(200, iterations); i += 1) await operation(input(-1 - i));
  const samples = new Array<number>(iterations);
  for (let i = 0; i < iterations; i += 1) {
    const prepared = input(i);
    const start = performance.now();
    await operation(prepared);
    samples[i] = performance.now() - start;
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { name, iterations, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), meanMs: mean };
}
