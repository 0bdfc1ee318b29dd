/**
 * `npm run bench`: what every call pays for our code. Bundle sizes as deployed, cold init
 * against a bare handler, warm in-process latency, and local server throughput, checked
 * against the budgets of issue #6. Writes bench/results/report.{json,md}. Not part of `npm test`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHmac, randomUUID } from 'node:crypto';
import { FUNCTION_ENVIRONMENT } from '#infra/stack/bundle.js';
import { buildBundles, buildHouseLibrarySteps, HOUSE_LIBRARIES, type BundleResult } from './bundles.js';
import { type AuditedPayment, measureAuditedPayment } from './audited-payment.js';
import { measureCandidates, type Candidate } from './candidates.js';
import { coldStartMedians } from './cold-start.js';
import { measureLatency, type LatencyResult } from './latency.js';
import { runLoad, type ThroughputResult } from './throughput.js';
import { measureYielded, type Yielded } from './yielded.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 10_000);
/**
 * Operations that go to the emulators take ~40 ms each: a tenth as many samples still puts ten
 * behind their p99, and the bench no longer spends 13 minutes on two rows.
 */
const STORAGE_ITERATIONS = Math.max(100, Math.round(ITERATIONS / 10));
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 40);
const LOAD_REQUESTS = Number(process.env.BENCH_LOAD_REQUESTS ?? 5_000);
const RESULTS = resolve('bench/results');

const SECRETS = {
  SWML_BASIC_AUTH_USER: 'signalwire',
  SWML_BASIC_AUTH_PASSWORD: 'bench-password-123',
  TOKEN_SECRET: 'bench-token-secret-0123456789',
  CALLER_HASH_SECRET: 'bench-caller-hash-secret-0123',
};

/**
 * What the stack sets besides the function's own settings (infra/stack/bundle.ts), and the
 * settings of a deployment that verifies signatures: the public base URL (the stack sets it)
 * and a signing key. Secrets come from the environment: the bench runs no secrets extension.
 */
const SIGNING_KEY = 'PSKbenchsigningkey0123456789';
const PUBLIC_BASE = 'https://agent.example.com';
const DEPLOYED_ENV = {
  ...FUNCTION_ENVIRONMENT,
  ...SECRETS,
  SIGNALWIRE_SIGNING_KEY: SIGNING_KEY,
  SWML_PROXY_URL_BASE: PUBLIC_BASE,
  AWS_REGION: 'us-east-1',
};

/** The budget for the functions whose first request needs no storage: what the first caller waits for. */
const FIRST_REQUEST_BUDGET_MS = 35;

interface Budget {
  name: string;
  limit: string;
  actual: string;
  pass: boolean;
}

interface ColdStart {
  name: string;
  oursMs: number;
  bareMs: number;
  /** Bare handler + the house libraries alone (bench/bundles.ts houseFloorSource). */
  floorMs: number;
  /** Import + first invocation, for the functions whose first request needs no storage. */
  firstRequest?: { oursMs: number; bareMs: number; floorMs: number };
}

/** The house libraries added one at a time, first request answered (swml's request). */
interface HouseStep {
  name: string;
  ms: number;
}

/**
 * First requests that touch no storage, so a fresh process can answer them alone: what
 * SignalWire sends when a call comes in (the SWML request, POSTed with the call) and when the
 * caller has keyed in a card, basic auth and signatures included.
 */
async function firstRequestEvents(): Promise<Record<string, unknown>> {
  const { apiEvent } = await import('#test/support/signalwire.js');
  const { paymentConnectorBody, simulatedCall, swmlRequestBody } = await import('#infra/local/cli/signalwire-payloads.js');
  const { paymentConnectorUrl } = await import('#shared/payments/call-token.js');
  const auth = `Basic ${Buffer.from(`${SECRETS.SWML_BASIC_AUTH_USER}:${SECRETS.SWML_BASIC_AUTH_PASSWORD}`).toString('base64')}`;
  // docs/protocol.md §5: hex HMAC of the URL SignalWire requested followed by the raw body.
  const signed = (path: string, body: unknown, query = '') => {
    const sign = (algorithm: string) =>
      createHmac(algorithm, SIGNING_KEY)
        .update(`${PUBLIC_BASE}${path}${query ? `?${query}` : ''}${JSON.stringify(body)}`)
        .digest('hex');
    return apiEvent({
      path,
      body,
      auth,
      query,
      headers: { 'x-signalwire-signature': sign('sha1'), 'x-signalwire-sha256-signature': sign('sha256') },
    });
  };
  // The URL our SWML hands to `pay`: the call and its token, so the outcome is audited on the call.
  const connectorUrl = new URL(paymentConnectorUrl(`${PUBLIC_BASE}/payment`, randomUUID(), SECRETS.TOKEN_SECRET, 3600));
  return {
    swml: signed('/swml', swmlRequestBody(simulatedCall({ from: '+14155550100' }))),
    'payment-connector': signed('/payment', paymentConnectorBody({ amount: '10.00' })),
    'payment-connector audited': signed('/payment', paymentConnectorBody({ amount: '10.00' }), connectorUrl.search.slice(1)),
  };
}

/** The environment of a cold start: the deployed one, and nothing the bench itself runs with. */
function coldStartEnv(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, NODE_COMPILE_CACHE: _cache, ...env } = process.env;
  return { ...env, ...DEPLOYED_ENV };
}

async function bundlesAndColdStarts(): Promise<{
  bundles: BundleResult[];
  cold: ColdStart[];
  houseSteps: HouseStep[];
  candidates: Candidate[];
  auditedPayment: AuditedPayment | undefined;
  yielded: Yielded[];
}> {
  const bundles = buildBundles(join(RESULTS, 'bundles'));
  const env = coldStartEnv();
  const events = await firstRequestEvents();
  const cold = bundles.map((b): ColdStart => {
    const event = events[b.name];
    const [oursMs = NaN, bareMs = NaN, floorMs = NaN] = coldStartMedians([b.file, b.bareFile, b.floorFile], COLD_RUNS, env);
    const first = event === undefined ? undefined : coldStartMedians([b.file, b.bareFile, b.floorFile], COLD_RUNS, env, event);
    return {
      name: b.name,
      oursMs,
      bareMs,
      floorMs,
      ...(first === undefined
        ? {}
        : { firstRequest: { oursMs: first[0] ?? NaN, bareMs: first[1] ?? NaN, floorMs: first[2] ?? NaN } }),
    };
  });
  const swml = bundles.find((b) => b.name === 'swml');
  const steps = buildHouseLibrarySteps(join(RESULTS, 'bundles', 'house'));
  const stepMs = swml
    ? coldStartMedians([swml.bareFile, ...steps.map((s) => s.file), swml.file], COLD_RUNS, env, events.swml)
    : [];
  const houseSteps = ['bare handler', ...steps.map((s) => `+ ${s.library}`), 'swml (ours)'].map((name, i) => ({
    name,
    ms: stepMs[i] ?? NaN,
  }));
  const candidates = measureCandidates(
    bundles
      .filter((b) => events[b.name] !== undefined)
      .map((b) => ({ name: b.name, file: b.file, bareFile: b.bareFile, event: events[b.name] })),
    COLD_RUNS,
    env,
    join(RESULTS, 'bundles', 'candidates'),
  );
  const connector = bundles.find((b) => b.name === 'payment-connector');
  const auditedPayment = connector
    ? await measureAuditedPayment({
        oursFile: connector.file,
        event: events['payment-connector audited'],
        outDir: join(RESULTS, 'bundles'),
        runs: COLD_RUNS,
        env,
      })
    : undefined;
  const yielded = connector
    ? await measureYielded(
        { file: connector.file, bareFile: connector.bareFile, event: events['payment-connector'] },
        join(RESULTS, 'bundles'),
        COLD_RUNS,
        env,
      )
    : [];
  return { bundles, cold, houseSteps, candidates, auditedPayment, yielded };
}

/**
 * The in-process phases print nothing of the handlers': no log lines (the ingest of a recording
 * without consent logs an incident each time) and no EMF metric lines.
 */
const QUIET_HANDLERS = { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };

async function warmLatencies(): Promise<LatencyResult[]> {
  const { startTestStorage } = await import('#test/support/storage.js');
  const storage = await startTestStorage(QUIET_HANDLERS);
  try {
    const { getConfig } = await import('#shared/config.js');
    const { renderAgentSwml } = await import('#shared/agent/swml-document.js');
    const { agentUrls } = await import('#shared/agent/settings.js');
    const { swaigCore } = await import('#shared/agent/swaig-core.js');
    const { recordingStatusCore } = await import('#shared/recordings/recording-status-core.js');
    const { apiEvent, swaigRequestBody } = await import('#test/support/signalwire.js');
    const config = getConfig();
    const urls = agentUrls('https://agent.example.com', SECRETS.SWML_BASIC_AUTH_USER, SECRETS.SWML_BASIC_AUTH_PASSWORD, config);
    const withBody = (path: string, body: unknown) => {
      const event = apiEvent({ path, body });
      event.jsonBody = body;
      return event;
    };
    const results: LatencyResult[] = [];
    results.push(
      await measureLatency(
        'SWML render',
        ITERATIONS,
        () => ({ callId: randomUUID(), callerNumber: '+14155550100' }),
        (call) => renderAgentSwml({ config, urls, tokenSecret: SECRETS.TOKEN_SECRET, call }),
      ),
    );
    results.push(
      await measureLatency(
        'SWAIG dispatch, no storage (recording_info)',
        ITERATIONS,
        () => withBody('/swaig', swaigRequestBody('recording_info', {}, randomUUID())),
        (event) => swaigCore(event),
      ),
    );
    results.push(
      await measureLatency(
        'SWAIG consent tool (DynamoDB emulator)',
        STORAGE_ITERATIONS,
        () => withBody('/swaig', swaigRequestBody('get_recording_consent', { response: 'yes' }, randomUUID())),
        (event) => swaigCore(event),
      ),
    );
    results.push(
      await measureLatency(
        'Recording webhook ingest (emulators)',
        STORAGE_ITERATIONS,
        () =>
          withBody('/recording-status', {
            event_type: 'calling.call.record',
            params: {
              call_id: randomUUID(),
              control_id: 'main',
              state: 'finished',
              record: {
                url: `https://space.signalwire.com/api/v1/recordings/${randomUUID()}/download`,
                duration: 12.5,
                size: 200_000,
                format: 'mp3',
              },
            },
          }),
        (event) => recordingStatusCore(event),
      ),
    );
    return results;
  } finally {
    await storage.stop();
  }
}

async function serverThroughput(): Promise<ThroughputResult[]> {
  const { startLocalStack } = await import('#infra/local/stack.js');
  const { swaigRequestBody } = await import('#test/support/signalwire.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'recording-agent-bench-'));
  Object.assign(process.env, QUIET_HANDLERS);
  const stack = await startLocalStack({ dataDir, port: 0 });
  try {
    const auth = `Basic ${Buffer.from(`${stack.credentials.SWML_BASIC_AUTH_USER}:${stack.credentials.SWML_BASIC_AUTH_PASSWORD}`).toString('base64')}`;
    const headers = { authorization: auth, 'content-type': 'application/json' };
    return [
      await runLoad({ name: 'GET /swml', url: `${stack.endpoints.api}/swml`, method: 'GET', headers }, LOAD_REQUESTS, 16, 60),
      await runLoad(
        {
          name: 'POST /swaig (recording_info)',
          url: `${stack.endpoints.api}/swaig`,
          method: 'POST',
          headers,
          body: () => JSON.stringify(swaigRequestBody('recording_info', {}, randomUUID())),
        },
        LOAD_REQUESTS,
        16,
        60,
      ),
    ];
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function budgets(bundles: BundleResult[], cold: ColdStart[], latencies: LatencyResult[]): Budget[] {
  const swml = bundles.find((b) => b.name === 'swml');
  const out: Budget[] = [
    {
      name: 'swml bundle size',
      limit: '≤ 100 KB',
      actual: `${((swml?.bytes ?? 0) / 1024).toFixed(1)} KB`,
      pass: (swml?.bytes ?? Infinity) <= 100 * 1024,
    },
    {
      name: 'swml bundle has no AWS SDK',
      limit: 'none',
      actual: swml?.awsSdk === 'none' ? 'none' : `contains @aws-sdk (${swml?.awsSdk})`,
      pass: swml?.awsSdk === 'none',
    },
  ];
  for (const c of cold) {
    // The floor rides along so a miss reads as ours or as the preferred libraries' at a glance.
    if (c.firstRequest) {
      const over = c.firstRequest.oursMs - c.firstRequest.bareMs;
      out.push({
        name: `${c.name} first request vs bare`,
        limit: `≤ bare + ${FIRST_REQUEST_BUDGET_MS} ms`,
        actual: `+${over.toFixed(1)} ms (house floor +${(c.firstRequest.floorMs - c.firstRequest.bareMs).toFixed(1)} ms)`,
        pass: over <= FIRST_REQUEST_BUDGET_MS,
      });
      continue;
    }
    const ratio = c.oursMs / c.bareMs;
    out.push({
      name: `${c.name} cold init vs bare`,
      limit: '≤ 1.3×',
      actual: `${ratio.toFixed(2)}× (house floor ${(c.floorMs / c.bareMs).toFixed(2)}×)`,
      pass: ratio <= 1.3,
    });
  }
  const p99 = (name: string) => latencies.find((l) => l.name.startsWith(name))?.p99Ms ?? Infinity;
  out.push({
    name: 'SWML render p99',
    limit: '≤ 1 ms',
    actual: `${p99('SWML render').toFixed(3)} ms`,
    pass: p99('SWML render') <= 1,
  });
  out.push({
    name: 'SWAIG no-storage dispatch p99',
    limit: '≤ 2 ms',
    actual: `${p99('SWAIG dispatch').toFixed(3)} ms`,
    pass: p99('SWAIG dispatch') <= 2,
  });
  return out;
}

function markdown(report: {
  bundles: BundleResult[];
  cold: ColdStart[];
  houseSteps: HouseStep[];
  candidates: Candidate[];
  auditedPayment: AuditedPayment | undefined;
  yielded: Yielded[];
  latencies: LatencyResult[];
  throughput: ThroughputResult[];
  budgets: Budget[];
  machine: string;
}): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `# recording-agent benchmark (${new Date().toISOString()})`,
    '',
    `Machine: ${report.machine}`,
    '',
    '## Budgets',
    '| budget | limit | actual | result |',
    '|---|---|---|---|',
    ...report.budgets.map((b) => `| ${b.name} | ${b.limit} | ${b.actual} | ${b.pass ? 'PASS' : 'FAIL'} |`),
    '',
    '## Bundles (minified esbuild, code-split, AWS SDK bundled, as deployed)',
    '"Ours" is what a fresh process loads before its first line runs (the entry and the chunks it imports); chunks behind `import()` load when that runs, and count in "all chunks" only.',
    '',
    '| function | ours | all chunks | bare (SDK clients only) | ratio | AWS SDK |',
    '|---|---|---|---|---|---|',
    ...report.bundles.map(
      (b) =>
        `| ${b.name} | ${kb(b.bytes)} | ${kb(b.totalBytes)} | ${kb(b.bareBytes)} | ${(b.bytes / Math.max(1, b.bareBytes)).toFixed(2)}× | ${b.awsSdk} |`,
    ),
    '',
    `## Cold init (fresh process → handler imported, median of ${COLD_RUNS}, runs interleaved)`,
    '"House floor" is the bare handler plus the libraries the house rules prefer (Powertools logger and metrics, middy, zod/mini), with no code of ours: no function built by those rules can start faster.',
    '',
    '| function | ours | bare | ratio | house floor | floor / bare | ours / floor | import + first request: ours / bare |',
    '|---|---|---|---|---|---|---|---|',
    ...report.cold.map(
      (c) =>
        `| ${c.name} | ${c.oursMs.toFixed(1)} ms | ${c.bareMs.toFixed(1)} ms | ${(c.oursMs / c.bareMs).toFixed(2)}× | ${c.floorMs.toFixed(1)} ms | ${(c.floorMs / c.bareMs).toFixed(2)}× | ${(c.oursMs / c.floorMs).toFixed(2)}× | ${
          c.firstRequest
            ? `${c.firstRequest.oursMs.toFixed(1)} ms / ${c.firstRequest.bareMs.toFixed(1)} ms`
            : 'needs storage: see warm latency'
        } |`,
    ),
    '',
    `## First request (fresh process → first request answered, median of ${COLD_RUNS}, runs interleaved)`,
    `What the first caller waits for, past the runtime itself: SignalWire's signed request (the SWML request POSTed with the call; a card payment), started as the stack deploys the function (infra/stack/bundle.ts: ${Object.entries(
      FUNCTION_ENVIRONMENT,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(
        ', ',
      )}; logs written). Secrets come from the environment: a deployed function first reads them through the Parameters and Secrets extension, which this does not measure.`,
    '',
    '| function | ours | bare | house floor | ours − bare | house floor − bare | ours − house floor |',
    '|---|---|---|---|---|---|---|',
    ...report.cold.flatMap((c) =>
      c.firstRequest
        ? [
            `| ${c.name} | ${c.firstRequest.oursMs.toFixed(1)} ms | ${c.firstRequest.bareMs.toFixed(1)} ms | ${c.firstRequest.floorMs.toFixed(1)} ms | +${(c.firstRequest.oursMs - c.firstRequest.bareMs).toFixed(1)} ms | +${(c.firstRequest.floorMs - c.firstRequest.bareMs).toFixed(1)} ms | +${(c.firstRequest.oursMs - c.firstRequest.floorMs).toFixed(1)} ms |`,
          ]
        : [],
    ),
    '',
    "### The house libraries, one at a time (swml's first request)",
    `What each library costs a fresh process, wired as its docs show, on top of the ones above it (${HOUSE_LIBRARIES.join(', ')}); the last house row is the floor. Ours builds Powertools Metrics only when a request counts a metric, and publishes only then: the SWML request counts none.`,
    '',
    '| handler | first request | Δ |',
    '|---|---|---|',
    ...report.houseSteps.map(
      (step, i) =>
        `| ${step.name} | ${step.ms.toFixed(1)} ms | ${i === 0 ? '—' : `${step.ms - (report.houseSteps[i - 1]?.ms ?? NaN) >= 0 ? '+' : ''}${(step.ms - (report.houseSteps[i - 1]?.ms ?? NaN)).toFixed(1)} ms`} |`,
    ),
    '',
    ...(report.auditedPayment
      ? [
          '### The first payment of a call, audited (storage on the local emulator; reported, no budget)',
          "The first payment as production sends it: its URL carries the call's token, so the connector writes the outcome to the call's audit trail, loading its DynamoDB store (and the AWS SDK) from a chunk on demand. Compared with a bare handler that loads the DynamoDB client at start and makes one write: the difference is our code and the write gate's two extra round trips (enter, leave). The emulator's latency is not DynamoDB's.",
          '',
          '| audited payment (ours) | bare handler + one SDK write | ours − bare |',
          '|---|---|---|',
          `| ${report.auditedPayment.oursMs.toFixed(1)} ms | ${report.auditedPayment.bareWriteMs.toFixed(1)} ms | +${(report.auditedPayment.oursMs - report.auditedPayment.bareWriteMs).toFixed(1)} ms |`,
          '',
        ]
      : []),
    '### Where a house library yielded (first request, over bare, started the same way)',
    'The function as it was with the library on that path, beside ours now: why it yielded (README, "Cold start").',
    '',
    '| function | on the first request | with the library | ours now |',
    '|---|---|---|---|',
    ...report.yielded.map(
      (y) => `| ${y.function} | ${y.name} | +${y.withLibraryOverBareMs.toFixed(1)} ms | +${y.oursOverBareMs.toFixed(1)} ms |`,
    ),
    '',
    '### Candidates that change no code (first request, ours − bare started the same way)',
    '| candidate | swml | payment-connector | how |',
    '|---|---|---|---|',
    ...report.candidates.map((c) => {
      const cell = (name: string) => {
        const ms = c.overBareMs[name];
        return ms === undefined ? 'n/a' : `+${ms.toFixed(1)} ms`;
      };
      return `| ${c.name} | ${cell('swml')} | ${cell('payment-connector')} | ${c.note} |`;
    }),
    '',
    '## Warm in-process latency',
    '| operation | iterations | p50 | p99 | mean |',
    '|---|---|---|---|---|',
    ...report.latencies.map(
      (l) => `| ${l.name} | ${l.iterations} | ${l.p50Ms.toFixed(3)} ms | ${l.p99Ms.toFixed(3)} ms | ${l.meanMs.toFixed(3)} ms |`,
    ),
    '',
    '## Local server throughput (127.0.0.1, keep-alive, bounded)',
    '| route | requests | concurrency | req/s | p99 | errors |',
    '|---|---|---|---|---|---|',
    ...report.throughput.map(
      (t) =>
        `| ${t.name} | ${t.requests} | ${t.concurrency} | ${t.requestsPerSecond.toFixed(0)} | ${t.p99Ms.toFixed(2)} ms | ${t.errors} |`,
    ),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const { bundles, cold, houseSteps, candidates, auditedPayment, yielded } = await bundlesAndColdStarts();
  const latencies = await warmLatencies();
  const throughput = await serverThroughput();
  const report = {
    machine: `${process.platform} ${process.arch}, Node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
    bundles,
    cold,
    houseSteps,
    candidates,
    auditedPayment,
    yielded,
    latencies,
    throughput,
    budgets: budgets(bundles, cold, latencies),
  };
  writeFileSync(join(RESULTS, 'report.json'), JSON.stringify(report, null, 2));
  const md = markdown(report);
  writeFileSync(join(RESULTS, 'report.md'), md);
  process.stdout.write(`${md}\nReport: bench/results/report.{json,md}\n`);
  // The budgets are reported, not enforced by exit code: a slow shared machine is not a broken build.
  // Failed requests are different: numbers measured over errors mean nothing.
  const failed = throughput.filter((t) => t.errors > 0);
  if (failed.length > 0) {
    process.stderr.write(
      `bench: ${failed.map((t) => `${t.name} had ${t.errors} failed requests`).join('; ')}: results are invalid\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
