import type { Clock } from '@jwt-sync/core'
import type { Outbox } from './outbox.js'

/**
 * The clock port over the channel. Timers are host timers (`setTimer` / `clearTimer` messages,
 * `timerFired` answers); `now` is `Date.now()` (ECMAScript), shifted to the host's time once the
 * host sends a `now` reading.
 *
 * @example
 * ```ts
 * const clock: HostClock = createHostClock(outbox, reportError)
 * clock.adoptHostTime(1795824000000)
 * ```
 */
export type HostClock = Clock & {
  /** Runs the timer's callback; false when no such timer is armed. A throwing callback is reported, not rethrown. */
  readonly fire: (timerId: string) => boolean
  /** Follows the host's clock from now on: `now()` returns `hostNow` plus the time elapsed since. */
  readonly adoptHostTime: (hostNow: number) => void
  /** Number of armed timers. */
  readonly armed: () => number
}

/**
 * Creates the host clock.
 *
 * @example
 * ```ts
 * const clock = createHostClock(outbox, (error) => logger.error('timer callback threw', { error: String(error) }))
 * clock.setTimeout(() => sdkWakeUp(), 60_000) // posts { v: 1, kind: 'setTimer', timerId: 't1', ms: 60000 }
 * clock.fire('t1') // the host answered { v: 1, kind: 'timerFired', timerId: 't1' }
 * ```
 */
export const createHostClock = (outbox: Outbox, onCallbackError: (error: unknown) => void): HostClock => {
  const timers = new Map<string, () => void>()
  let nextId = 1
  let offset = 0
  return {
    now: () => Date.now() + offset,
    setTimeout: (fn, ms) => {
      const timerId = `t${nextId++}`
      timers.set(timerId, fn)
      // Hosts get a whole, non-negative delay whatever the caller passed.
      const delay = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : 0
      outbox({ v: 1, kind: 'setTimer', timerId, ms: delay })
      return timerId
    },
    clearTimeout: (handle) => {
      if (typeof handle !== 'string' || !timers.delete(handle)) return
      outbox({ v: 1, kind: 'clearTimer', timerId: handle })
    },
    fire: (timerId) => {
      const fn = timers.get(timerId)
      if (fn === undefined) return false
      timers.delete(timerId)
      try {
        fn()
      } catch (error) {
        onCallbackError(error)
      }
      return true
    },
    adoptHostTime: (hostNow) => {
      offset = hostNow - Date.now()
    },
    armed: () => timers.size,
  }
}
