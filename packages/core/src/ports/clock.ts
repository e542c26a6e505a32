/**
 * The clock port. All time the core reads and every timer it arms goes through it, so tests can
 * drive time with `createManualClock()` and hosts without `setTimeout` (JavaScriptCore) can supply
 * their own timers.
 *
 * @example
 * ```ts
 * const clock: Clock = { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as never) }
 * ```
 */
export type Clock = {
  /** Milliseconds since the epoch. */
  readonly now: () => number
  /** Runs `fn` once after `ms`; returns a handle for `clearTimeout`. */
  readonly setTimeout: (fn: () => void, ms: number) => unknown
  /** Cancels a timer; unknown or fired handles are ignored. */
  readonly clearTimeout: (handle: unknown) => void
}

/**
 * The platform clock (`Date.now`, global timers). Used when no clock port is given. Where timers
 * can be unreferenced (Node, Bun, Deno), they are: an SDK with nothing to do never keeps a process
 * alive. A request in flight still does (its socket), so `await sdk.flush()` completes; call
 * `flushAndShutdown()` before exiting to send what is left.
 *
 * @example
 * ```ts
 * createSdk(config, { transport, clock: systemClock() })
 * ```
 */
export const systemClock = (): Clock => ({
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle: unknown = globalThis.setTimeout(fn, ms)
    if (typeof handle === 'object' && handle !== null && 'unref' in handle && typeof handle.unref === 'function') handle.unref()
    return handle
  },
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
})
