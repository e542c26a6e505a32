/**
 * Small string hashes in plain ECMAScript (no `crypto` in JavaScriptCore, Hermes or QuickJS).
 * Neither is cryptographic; see where each is used for why that is enough.
 */

/**
 * FNV-1a over UTF-16 code units, 32 bits, as 8 hex digits.
 *
 * @example
 * ```ts
 * fnv1a32('signature') // '…8 hex digits…'
 * ```
 */
export const fnv1a32 = (text: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}

/**
 * 64 bits from two independently seeded multiply-xorshift lanes (the cyrb53 construction, kept
 * at full width), as 16 hex digits.
 *
 * @example
 * ```ts
 * hash64('a token') === hash64('a token') // true; different inputs collide with chance ~2^-64
 * ```
 */
export const hash64 = (text: string): string => {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ code, 2654435761)
    h2 = Math.imul(h2 ^ code, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0')
}
