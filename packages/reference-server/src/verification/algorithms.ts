/**
 * Signature algorithms a server may allow: RSA only (the keys are RSA); never `none` or HMAC.
 *
 * @example
 * ```ts
 * RSA_ALGORITHMS.includes('PS256') // true
 * ```
 */
export const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const

/**
 * One of the RSA signature algorithms a server may allow.
 * @example
 * ```ts
 * const allowed: readonly RsaAlgorithm[] = ['RS256']
 * ```
 */
export type RsaAlgorithm = (typeof RSA_ALGORITHMS)[number]

/**
 * The protocol's default allowed set.
 *
 * @example
 * ```ts
 * await startReferenceServer({ allowedAlgorithms: [...DEFAULT_ALGORITHMS, 'PS256'] })
 * ```
 */
export const DEFAULT_ALGORITHMS: readonly RsaAlgorithm[] = ['RS256', 'RS512']

/**
 * Narrows a string to an allowed RSA algorithm. `none`, `HS256` and the like are never accepted.
 *
 * @example
 * ```ts
 * isRsaAlgorithm('RS512') // true
 * isRsaAlgorithm('HS256') // false
 * ```
 */
export const isRsaAlgorithm = (value: unknown): value is RsaAlgorithm =>
  typeof value === 'string' && (RSA_ALGORITHMS as readonly string[]).includes(value)
