import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface ThroughputResult {
  name: string;
  requests: number;
  concurrency: number;
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
}

export interface LoadSpec {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: () => string;
}

/**
 * A bounded load generator for 127.0.0.1 only: a fixed number of requests (and a time cap),
 * `concurrency` at a time over keep-alive connections. It stops by itself.
 */
export async function runLoad(
  spec: LoadSpec,
  totalRequests: number,
  concurrency: number,
  maxSeconds: number,
): Promise<ThroughputResult> {
  const target = new URL(spec.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('load is only ever sent to loopback');
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const body = spec.body?.();
      const start = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: spec.method,
          headers: { ...spec.headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - start);
            if ((res.statusCode ?? 500) >= 400) errors += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      if (body) req.write(body);
      req.end();
    });
  const started = performance.now();
  const worker = async () => {
    while (issued < totalRequests && performance.now() < deadline) {
      issued += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    name: spec.name,
    requests: latencies.length,
    concurrency,
    requestsPerSecond: latencies.length / elapsed,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    errors,
  };
}
