#!/usr/bin/env node
// Launches the TypeScript CLI (infra/local/cli.ts) with this package's own tsx and, when
// installed, the Node version the project pins (npm `node` devDependency), whatever the
// current directory is.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinnedNode = join(root, 'node_modules', 'node', 'bin', 'node');
const nodeBinary = existsSync(pinnedNode) ? pinnedNode : process.execPath;
const tsxLoader = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
if (!existsSync(tsxLoader)) {
  process.stderr.write(`recording-agent: tsx is not installed in ${root} (run npm ci there)\n`);
  process.exit(1);
}

const child = spawn(
  nodeBinary,
  ['--import', pathToFileURL(tsxLoader).href, join(root, 'infra', 'local', 'cli.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
// Ctrl-C reaches the child directly (same process group): wait for it to clean up. A SIGTERM
// aimed at this process alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
