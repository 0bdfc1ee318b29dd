import { vi, type MockInstance } from 'vitest';

/**
 * Captures everything written to stdout/stderr (Powertools logs to stdout as JSON) so tests
 * can grep every log line for planted secrets. Each write is then passed on to the write
 * underneath: in a test run, test/support/quiet-output.ts's capture, which shows the lines
 * only if the test fails.
 */
export function captureLogs(): { lines: () => string[]; text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spies: MockInstance[] = [process.stdout, process.stderr].map((stream) => {
    const underneath = stream.write;
    return vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (underneath as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write);
  });
  return {
    lines: () => chunks.join('').split('\n').filter(Boolean),
    text: () => chunks.join(''),
    restore: () => {
      for (const s of spies) s.mockRestore();
    },
  };
}
