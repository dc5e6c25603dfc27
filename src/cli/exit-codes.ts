/** Exit codes that mean something to scripts. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  badInput: 3,
  busy: 4,
  denied: 5,
} as const;
