import * as t from 'io-ts'

/**
 * What the native host can do beyond carrying a request as it is, declared once with
 * `initialize` as `capabilities`. Every capability is optional and absent means "cannot": a host
 * written before a capability existed keeps working unchanged. Keys this bridge does not know are
 * ignored, so a newer host can declare more than an older bundle understands.
 *
 * - `gzip`: the host can gzip a request body and send it with `Content-Encoding: gzip` (R20).
 *   The bridge then marks the `http` requests the core allows to go compressed with
 *   `compressBody: "gzip"`.
 *
 * @example
 * ```ts
 * HostCapabilitiesCodec.is({ gzip: true }) // true
 * HostCapabilitiesCodec.is({ gzip: 'yes' }) // false: initialize is refused, field "capabilities.gzip"
 * ```
 */
export const HostCapabilitiesCodec = t.partial({ gzip: t.boolean })

/**
 * The capabilities a host declared (`{}` when it declared none).
 *
 * @example
 * ```ts
 * const capabilities: HostCapabilities = { gzip: true }
 * ```
 */
export type HostCapabilities = t.TypeOf<typeof HostCapabilitiesCodec>
