import type { Clock } from '../ports/clock.js'

/**
 * A clock that only moves when told: for deterministic tests and simulated time.
 *
 * @example
 * ```ts
 * const clock: ManualClock = createManualClock(0)
 * clock.setTimeout(() => console.log('due'), 500)
 * clock.nextTimerAt() // 500
 * clock.advance(500) // prints "due"
 * ```
 */
export type ManualClock = Clock & {
  /** Moves time forward by `ms`, running every timer that falls due, in due order. */
  advance(ms: number): void
  /** Moves time to `at` (no-op if it is in the past), running due timers. */
  advanceTo(at: number): void
  /** Number of armed timers. */
  pendingTimers(): number
  /** Due time of the earliest armed timer, or null. */
  nextTimerAt(): number | null
}

type Timer = { readonly id: number; readonly at: number; readonly fn: () => void }

/**
 * Creates a manual clock starting at `startMs` (default 0).
 *
 * @example
 * ```ts
 * const clock = createManualClock(Date.UTC(2026, 0, 1))
 * clock.setTimeout(() => console.log('fired'), 1000)
 * clock.advance(1000) // prints "fired"
 * ```
 */
export const createManualClock = (startMs = 0): ManualClock => {
  let now = startMs
  let nextId = 1
  let timers: Timer[] = []

  const runDue = (until: number): void => {
    for (;;) {
      let earliest: Timer | undefined
      for (const timer of timers) {
        if (timer.at <= until && (earliest === undefined || timer.at < earliest.at || (timer.at === earliest.at && timer.id < earliest.id))) {
          earliest = timer
        }
      }
      if (earliest === undefined) break
      const due = earliest
      timers = timers.filter((timer) => timer !== due)
      now = Math.max(now, due.at)
      due.fn()
    }
    now = Math.max(now, until)
  }

  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++
      timers.push({ id, at: now + Math.max(0, ms), fn })
      return id
    },
    clearTimeout: (handle) => {
      timers = timers.filter((timer) => timer.id !== handle)
    },
    advance: (ms) => runDue(now + ms),
    advanceTo: (at) => runDue(Math.max(now, at)),
    pendingTimers: () => timers.length,
    nextTimerAt: () => (timers.length === 0 ? null : Math.min(...timers.map((timer) => timer.at))),
  }
}
