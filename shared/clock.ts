/** Dependencies that may carry their own clock: tests pin time through `now`, production reads the system clock. */
export interface Clocked {
  now?: () => Date;
}

export const nowOf = (deps: Clocked): Date => (deps.now ?? (() => new Date()))();
