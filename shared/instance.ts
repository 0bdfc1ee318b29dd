/**
 * Per-instance state: the parsed config, SDK clients, loaded secrets, wired dependencies. A
 * Lambda instance keeps it for its whole life. Tests and the local stack change the environment
 * inside one process (new emulator ports, new settings), so every such cache registers here how
 * to forget itself, where it is defined, and one call forgets them all: none can be missed.
 */
const resets: Array<() => void> = [];

export function onInstanceReset(reset: () => void): void {
  resets.push(reset);
}

/** Forget every per-instance cache of the modules loaded so far. */
export function resetInstance(): void {
  for (const reset of resets) reset();
}
