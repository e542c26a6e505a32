import type { TokenProvider, TokenRequestReason } from '../model/config.js'
import type { Clock } from '../ports/clock.js'
import { backoffDelayMs, type BackoffSettings } from '../sync/backoff.js'

/** A provider is asked at most this many times in a row before the SDK waits for the next reason to ask. */
export const MAX_PROVIDER_ATTEMPTS = 5

/**
 * R16: asks the app's `tokenProvider` for tokens. One call in flight per identifier, shared by
 * every trigger; each call bounded by a timeout, so a provider that never answers stalls nobody;
 * failures retried with backoff, capped; a refresh scheduled `refreshLeadMs` before `exp`.
 */
export const createTokenProviderService = (options: {
  readonly provider: TokenProvider
  readonly clock: Clock
  readonly random: () => number
  readonly timeoutMs: number
  readonly refreshLeadMs: number
  readonly backoff: BackoffSettings
  readonly deliver: (identifier: string, token: string) => void
  readonly onGiveUp: (identifier: string, reason: string) => void
}) => {
  const inFlight = new Set<string>()
  const retryTimers = new Map<string, unknown>()
  const refreshTimers = new Map<string, unknown>()
  let stopped = false

  const clear = (timers: Map<string, unknown>, identifier: string): void => {
    const handle = timers.get(identifier)
    if (handle !== undefined) options.clock.clearTimeout(handle)
    timers.delete(identifier)
  }

  const ask = (identifier: string, reason: TokenRequestReason, attempt: number): void => {
    if (stopped || inFlight.has(identifier)) return
    clear(retryTimers, identifier)
    inFlight.add(identifier)
    let settled = false
    const finish = (result: { token: string } | { error: string }): void => {
      if (settled) return
      settled = true
      options.clock.clearTimeout(timeout)
      inFlight.delete(identifier)
      if (stopped) return
      if ('token' in result) {
        options.deliver(identifier, result.token)
        return
      }
      if (attempt + 1 >= MAX_PROVIDER_ATTEMPTS) {
        options.onGiveUp(identifier, result.error)
        return
      }
      const delay = Math.max(1, backoffDelayMs(attempt + 1, options.backoff, options.random))
      retryTimers.set(identifier, options.clock.setTimeout(() => ask(identifier, reason, attempt + 1), delay))
    }
    const timeout = options.clock.setTimeout(() => finish({ error: 'tokenProvider timed out' }), options.timeoutMs)
    try {
      Promise.resolve(options.provider(identifier, reason)).then(
        (token) => finish(typeof token === 'string' && token.length > 0 ? { token } : { error: 'tokenProvider returned no token' }),
        (error: unknown) => finish({ error: `tokenProvider failed: ${String(error)}` }),
      )
    } catch (error) {
      finish({ error: `tokenProvider threw: ${String(error)}` })
    }
  }

  return {
    request: (identifier: string, reason: TokenRequestReason): void => ask(identifier, reason, 0),
    /** Arms the proactive refresh for a freshly stored token (R16). */
    scheduleRefresh: (identifier: string, expiresAt: number | null): void => {
      clear(refreshTimers, identifier)
      if (expiresAt === null || stopped) return
      const delay = Math.max(0, expiresAt - options.refreshLeadMs - options.clock.now())
      refreshTimers.set(identifier, options.clock.setTimeout(() => {
        refreshTimers.delete(identifier)
        ask(identifier, 'expiring', 0)
      }, delay))
    },
    stop: (): void => {
      stopped = true
      for (const handle of [...retryTimers.values(), ...refreshTimers.values()]) options.clock.clearTimeout(handle)
      retryTimers.clear()
      refreshTimers.clear()
    },
  }
}
