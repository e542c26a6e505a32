/**
 * The clock port. All time the core reads and every timer it arms goes through it, so tests can
 * drive time with `createManualClock()` and hosts without `setTimeout` (JavaScriptCore) can supply
 * their own timers.
 */
export type Clock = {
  readonly now: () => number
  readonly setTimeout: (fn: () => void, ms: number) => unknown
  readonly clearTimeout: (handle: unknown) => void
}

/** The platform clock (`Date.now`, global timers). Used when no clock port is given. */
export const systemClock = (): Clock => ({
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
})
