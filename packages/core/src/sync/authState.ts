import type { TokenStatus } from '../model/tokenStatus.js'
import type { SyncContext } from './context.js'

/**
 * Where the current identity stands, as the statechart's `auth` region shows it. Only the current
 * identity is shown: items and tokens of earlier identities (a logged-out user still being
 * flushed, user A after `identify(B)`) stay data in the context, since any number of them may be
 * pending at once and a region per identity would not be a fixed chart.
 */
export type AuthState = 'jwtDisabled' | 'anonymous' | 'loggingOut' | 'identified'

/** The current identifier's token, as the `auth.identified` states show it. */
export type TokenState = 'none' | TokenStatus

/**
 * The `auth` region's state for a context: JWT off (R1), anonymous (R2), a logout flush still
 * owed with no new identity yet (R11), or identified.
 *
 * @example
 * ```ts
 * authStateOf(actor.getSnapshot().context) // 'identified'
 * ```
 */
export const authStateOf = (context: SyncContext): AuthState => {
  if (!context.settings.isJwtEnabled) return 'jwtDisabled'
  if (context.identifier !== null) return 'identified'
  return context.loggingOut.length > 0 ? 'loggingOut' : 'anonymous'
}

/**
 * The current identifier's token status (R5-R7), `none` when no token was passed (or it was
 * forgotten); null when nobody is identified.
 *
 * @example
 * ```ts
 * tokenStateOf(context) // 'rejected' after a 401 (S1): the chart rests in `auth.identified.tokenRefused`
 * ```
 */
export const tokenStateOf = (context: SyncContext): TokenState | null => {
  if (context.identifier === null) return null
  return context.tokens[context.identifier]?.status ?? 'none'
}
