import type { TokenProvider, TokenRequestReason } from '../model/config.js'
import type { Clock } from '../ports/clock.js'
import { backoffDelayMs, type BackoffSettings } from '../sync/backoff.js'

/** A provider is asked at most this many times in a row before the SDK waits for the next reason to ask. */
export const MAX_PROVIDER_ATTEMPTS = 5

/**
 * R16: asks the app's `tokenProvider` for tokens. One call in flight per identifier, shared by
 * every trigger; each call bounded by a timeout, so a provider that never answers stalls nobody;
 * failures retried with backoff, capped; a refresh scheduled `refreshLeadMs` before `exp`.
 * A token the client checks refuse (R6) is a failed attempt too: the refusal asks for a token
 * again, and without this a provider that keeps giving the same bad token would be called in a
 * tight loop.
 */
export const createTokenProviderService = (options: {
  readonly provider: TokenProvider
  readonly clock: Clock
  readonly random: () => number
  readonly timeoutMs: number
  readonly refreshLeadMs: number
  readonly backoff: BackoffSettings
  /** Hands a token to the SDK; false when the client checks refuse it. */
  readonly deliver: (identifier: string, token: string) => boolean
  readonly onGiveUp: (identifier: string, reason: string) => void
}) => {
  const inFlight = new Set<string>()
  const retryTimers = new Map<string, unknown>()
  const refreshTimers = new Map<string, unknown>()
  /** Failed attempts in a row per identifier, until a token is accepted or the service gives up. */
  const failures = new Map<string, number>()
  let stopped = false

  const clear = (timers: Map<string, unknown>, identifier: string): void => {
    const handle = timers.get(identifier)
    if (handle !== undefined) options.clock.clearTimeout(handle)
    timers.delete(identifier)
  }

  const failed = (identifier: string, reason: TokenRequestReason, error: string): void => {
    const attempts = (failures.get(identifier) ?? 0) + 1
    if (attempts >= MAX_PROVIDER_ATTEMPTS) {
      failures.delete(identifier)
      options.onGiveUp(identifier, error)
      return
    }
    failures.set(identifier, attempts)
    const delay = Math.max(1, backoffDelayMs(attempts, options.backoff, options.random))
    retryTimers.set(identifier, options.clock.setTimeout(() => {
      retryTimers.delete(identifier)
      ask(identifier, reason)
    }, delay))
  }

  const ask = (identifier: string, reason: TokenRequestReason): void => {
    // A call in flight is shared; a retry waiting out its backoff is not cut short by a new trigger.
    if (stopped || inFlight.has(identifier) || retryTimers.has(identifier)) return
    inFlight.add(identifier)
    let settled = false
    const finish = (result: { token: string } | { error: string }): void => {
      if (settled) return
      settled = true
      options.clock.clearTimeout(timeout)
      if (stopped) return void inFlight.delete(identifier)
      // Still in flight while the token is handed over: a refusal asks again at once, and that
      // request must wait for the backoff below rather than call the provider from inside this one.
      const accepted = 'token' in result && options.deliver(identifier, result.token)
      inFlight.delete(identifier)
      if (accepted) return void failures.delete(identifier)
      failed(identifier, reason, 'token' in result ? 'tokenProvider returned a token the client checks refuse' : result.error)
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
    request: (identifier: string, reason: TokenRequestReason): void => ask(identifier, reason),
    /** Arms the proactive refresh for a freshly stored token (R16). */
    scheduleRefresh: (identifier: string, expiresAt: number | null): void => {
      clear(refreshTimers, identifier)
      if (expiresAt === null || stopped) return
      const delay = Math.max(0, expiresAt - options.refreshLeadMs - options.clock.now())
      refreshTimers.set(identifier, options.clock.setTimeout(() => {
        refreshTimers.delete(identifier)
        ask(identifier, 'expiring')
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
