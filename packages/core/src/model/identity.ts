/**
 * An app user's identifier as the app passes it to `identify()`. Never empty.
 *
 * @example
 * ```ts
 * const identifier = 'user-42' as Identifier
 * identityKeyOf(identifier) // 'user:user-42'
 * ```
 */
export type Identifier = string & { readonly __brand: 'Identifier' }

/**
 * The identity an item is stamped with, as one string: `anon` for anonymous items, `user:<id>` for
 * an identified user's. It is the storage partition key: a batch only ever holds one identity (R4).
 *
 * @example
 * ```ts
 * const key: IdentityKey = identityKeyOf('user-42' as Identifier) // 'user:user-42'
 * await namespace.peek(key, 100)()
 * ```
 */
export type IdentityKey = string & { readonly __brand: 'IdentityKey' }

/**
 * The identity key of anonymous items (R2).
 *
 * @example
 * ```ts
 * storage.peek(ANONYMOUS, 100)
 * ```
 */
export const ANONYMOUS: IdentityKey = 'anon' as IdentityKey

/**
 * The identity key for an identifier (`user:<id>`), or `anon` for null.
 *
 * @example
 * ```ts
 * identityKeyOf('user-42' as Identifier) // 'user:user-42'
 * ```
 */
export const identityKeyOf = (identifier: Identifier | null): IdentityKey =>
  identifier === null ? ANONYMOUS : (`user:${identifier}` as IdentityKey)

/**
 * The identifier behind a key, or null for anonymous.
 *
 * @example
 * ```ts
 * identifierOf('user:user-42' as IdentityKey) // 'user-42'
 * ```
 */
export const identifierOf = (key: IdentityKey): Identifier | null =>
  key.startsWith('user:') ? (key.slice(5) as Identifier) : null
