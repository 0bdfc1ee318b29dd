/**
 * `npm test`: the lint steps (`npm run lint`: tsc, Biome, knip) and vitest with coverage, run at
 * the same time rather than one after the other.
 *
 * tsc is single-threaded and takes ~20 s; run first, it left one of CI's two cores idle that
 * long, and vitest leaves cores idle too (its last files, the coverage report). The lint steps
 * run at a lower priority, so they take what vitest leaves rather than slowing its tests down.
 *
 * vitest prints live, as it would alone. The lint steps' output is held back and printed after
 * vitest's, one line per step, plus the step's output when it failed or had more to say than a
 * one-line summary. Any step failing fails `npm test`; every step runs to the end regardless,
 * so one run reports everything.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

interface Step {
  name: string;
  command: string;
  args: string[];
}

interface Outcome {
  step: Step;
  code: number;
  seconds: number;
  output: string;
}

/** The same steps, in the same order, as `npm run lint`. */
const LINT: Step[] = [
  { name: 'tsc --noEmit', command: 'tsc', args: ['--noEmit'] },
  { name: 'biome check .', command: 'biome', args: ['check', '.'] },
  { name: 'knip', command: 'knip', args: [] },
];
const TESTS: Step = { name: 'vitest run --coverage', command: 'vitest', args: ['run', '--coverage'] };
/** Above vitest's workers' priority (0), below nothing else of ours. */
const LINT_NICENESS = 10;

/** Runs a step; its output is collected (`inherit` false) or goes straight to the terminal. */
function run(step: Step, { inherit, niceness = 0 }: { inherit: boolean; niceness?: number }): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    if (niceness !== 0 && child.pid !== undefined) {
      try {
        setPriority(child.pid, niceness);
      } catch {
        // Not permitted here: the step runs at normal priority, which only costs time.
      }
    }
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const finish = (code: number, error?: Error) => {
      const output = Buffer.concat(chunks).toString('utf8') + (error ? `${error.message}\n` : '');
      resolve({ step, code, seconds: (performance.now() - started) / 1000, output });
    };
    child.once('error', (error) => finish(1, error));
    child.once('close', (code, signal) => finish(code ?? (signal ? 1 : 0)));
  });
}

function report(outcome: Outcome): string {
  const { step, code, seconds, output } = outcome;
  const text = output.trimEnd();
  const status = `${code === 0 ? 'ok  ' : 'FAIL'} ${step.name} (${seconds.toFixed(1)} s${code === 0 ? '' : `, exit ${code}`})`;
  // A one-line summary (Biome's "Checked N files") goes on the status line; anything more is shown.
  if (code === 0 && !text.includes('\n')) return text ? `${status}: ${text}\n` : `${status}\n`;
  return `${status}\n${text}\n`;
}

async function main(): Promise<void> {
  const lint = Promise.all(LINT.map((step) => run(step, { inherit: false, niceness: LINT_NICENESS })));
  const tests = await run(TESTS, { inherit: true });
  const lintOutcomes = await lint;
  process.stdout.write(`\nlint:\n${lintOutcomes.map(report).join('')}`);
  const failed = [...lintOutcomes, tests].filter((o) => o.code !== 0);
  if (failed.length > 0) {
    process.stdout.write(`npm test failed: ${failed.map((o) => o.step.name).join(', ')}\n`);
    process.exitCode = failed[0]?.code || 1;
  }
}

await main();
