import { vi, type MockInstance } from 'vitest';

/**
 * Captures everything written to stdout/stderr (Powertools logs to stdout as JSON) so tests
 * can grep every log line for planted secrets.
 */
export function captureLogs(): { lines: () => string[]; text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spies: MockInstance[] = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write),
  );
  return {
    lines: () => chunks.join('').split('\n').filter(Boolean),
    text: () => chunks.join(''),
    restore: () => {
      for (const s of spies) s.mockRestore();
    },
  };
}
