/**
 * The bridge protocol version. Every message in both directions carries it as `v`. A host message
 * with another version is refused with an `UNSUPPORTED_VERSION` error answer and changes nothing;
 * a future incompatible change bumps it.
 *
 * @example
 * ```ts
 * const message = { v: PROTOCOL_VERSION, kind: 'getState', id: 'c1' }
 * ```
 */
export const PROTOCOL_VERSION = 1 as const
