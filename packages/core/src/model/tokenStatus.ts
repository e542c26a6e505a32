/**
 * A token's status in the token record (docs/rules.md, vocabulary).
 *
 * @example
 * ```ts
 * const status: TokenStatus | undefined = sdk.getState().tokens['user-42']?.status // e.g. 'usable'
 * ```
 */
export type TokenStatus = 'usable' | 'rejected' | 'invalid' | 'expired'
