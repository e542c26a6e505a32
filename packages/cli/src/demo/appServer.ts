import type { TokenIssuer } from '@jwt-sync/reference-server'

/**
 * How the demo's app server behaves: it signs with the key the ingestion server trusts
 * (`honest`), with another key under the same kid (`misconfigured`: every token is refused with
 * INVALID_SIGNATURE), or it does not answer (`offline`).
 *
 * @example
 * ```ts
 * appServer.setMode('misconfigured')
 * ```
 */
export type AppServerMode = 'honest' | 'misconfigured' | 'offline'

/**
 * The app's own server in the demo: the one that issues its users' JWTs. Tokens are stamped on
 * the simulated clock, and each carries a unique `jti` so no two are equal (a token refused once
 * is refused again when passed again, R7).
 *
 * @example
 * ```ts
 * const appServer = createDemoAppServer({ trusted: issuer, foreign: otherIssuer, now: clock.now })
 * const token = await appServer.issue('alice') // null while offline
 * ```
 */
export type DemoAppServer = {
  readonly mode: () => AppServerMode
  readonly setMode: (mode: AppServerMode) => void
  /** A token for the identifier as the current mode makes it, or null when offline. */
  readonly issue: (identifier: string, lifetimeSeconds?: number) => Promise<string | null>
  /** Every token issued so far (tests check none of them leaks in full). */
  readonly issued: () => readonly string[]
}

/**
 * Default token lifetime in the demo: short, so the story can watch one expire.
 *
 * @example
 * ```ts
 * clock.advance(DEMO_TOKEN_LIFETIME_SECONDS * 1000 + 120_000) // the token is now expired
 * ```
 */
export const DEMO_TOKEN_LIFETIME_SECONDS = 600

/**
 * Creates the demo's app server.
 *
 * @example
 * ```ts
 * const appServer = createDemoAppServer({ trusted, foreign, now: () => clock.now() })
 * ```
 */
export const createDemoAppServer = (options: { readonly trusted: TokenIssuer; readonly foreign: TokenIssuer; readonly now: () => number }): DemoAppServer => {
  let mode: AppServerMode = 'honest'
  let serial = 0
  const issued: string[] = []
  return {
    mode: () => mode,
    setMode: (next) => {
      mode = next
    },
    issue: async (identifier, lifetimeSeconds = DEMO_TOKEN_LIFETIME_SECONDS) => {
      if (mode === 'offline') return null
      serial++
      const spec = { identifier, lifetimeSeconds, now: options.now(), claims: { jti: `demo-${serial}` } }
      // A forged token names the trusted key's kid, so only the signature gives it away.
      const token = mode === 'honest' ? await options.trusted.issue(spec) : await options.foreign.issue({ ...spec, kid: options.trusted.kid })
      issued.push(token)
      return token
    },
    issued: () => [...issued],
  }
}
