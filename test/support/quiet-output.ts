/**
 * Vitest setup file (vitest.config.ts `setupFiles`): what the code under test writes straight to
 * process.stdout / process.stderr (Powertools' JSON log and EMF metric lines, the local server's
 * error lines) goes to vitest's per-test console capture instead of the terminal. With
 * `silent: 'passed-only'` the reporter prints a test's captured lines only when that test, its
 * suite or its file fails, so a run's output is test results, not logs.
 *
 * test/support/logs.ts's captureLogs() spies on the same `write` methods on top of this and
 * still sees every line first.
 */

type WriteCallback = (error?: Error | null) => void;

function intoConsole(stream: NodeJS.WriteStream, print: (text: string) => void): void {
  stream.write = ((chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    // console.log adds the newline back.
    print(text.endsWith('\n') ? text.slice(0, -1) : text);
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (done) process.nextTick(done);
    return true;
  }) as typeof stream.write;
}

// `console` is vitest's capturing console in the worker (never process.stdout), looked up on
// every write so a test's own console spy still applies. '%s' keeps format specifiers literal.
intoConsole(process.stdout, (text) => console.log('%s', text));
intoConsole(process.stderr, (text) => console.error('%s', text));
