/**
 * The embedded emulators in a process of their own, for the bench's fresh-process runs that
 * need storage: the bench starts each run with spawnSync, which blocks its own event loop, so
 * an emulator inside the bench could not answer. Prints the environment that points at the
 * emulators and its table (one JSON line), then serves until its stdin closes.
 */
import { emulatorEnv, provisionStorage, startEmulators } from '#infra/local/emulators.js';

const emulators = await startEmulators();
const names = { table: 'recording-agent-bench', bucket: 'recording-agent-bench' };
await provisionStorage(emulators, names);
process.stdout.write(`${JSON.stringify({ ...emulatorEnv(emulators), TABLE_NAME: names.table, BUCKET_NAME: names.bucket })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void emulators.stop().then(() => process.exit(0));
});
