import type { AuthenticationError } from '../jwt/errorCodes.js'

/**
 * An authentication listener: an object with `onError` or a plain function.
 *
 * @example
 * ```ts
 * const listener: AuthenticationListener = { onError: (error) => console.warn(error.details.code) }
 * ```
 */
export type AuthenticationListener =
  | {
      /** Receives each authentication error once (R15). */
      readonly onError: (error: AuthenticationError) => void
    }
  | ((error: AuthenticationError) => void)
