/**
 * A JWS compact token split into its decoded JSON header and payload (signature not checked).
 *
 * @example
 * ```ts
 * const read = readTokenShape(token); if (read.ok) console.log(read.shape.header['alg'])
 * ```
 */
export type TokenShape = {
  readonly header: Readonly<Record<string, unknown>>
  readonly payload: Readonly<Record<string, unknown>>
}

const BASE64URL = /^[A-Za-z0-9_-]*$/

const decodeJsonObject = (part: string): Record<string, unknown> | null => {
  if (part.length === 0 || !BASE64URL.test(part)) return null
  try {
    // fatal: true so invalid UTF-8 is a failure instead of silently becoming U+FFFD.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(part, 'base64url'))
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/**
 * Reads a JWS compact string: three dot-separated base64url parts, the first two JSON objects. The
 * signature part may be empty (an unsecured `alg: none` JWS is still a JWS; the algorithm check
 * refuses it with `HEADER_TYPE_INCOMPATIBLE`, which says more than "not a JWT").
 *
 * @example
 * ```ts
 * readTokenShape('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln') // { ok: true, shape: { header: { alg: 'RS256' }, payload: { sub: 'u1' } } }
 * ```
 */
export const readTokenShape = (token: string): { ok: true; shape: TokenShape } | { ok: false; reason: string } => {
  const parts = token.split('.')
  if (parts.length !== 3) return { ok: false, reason: `expected 3 dot-separated parts (JWS compact), got ${parts.length}` }
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts
  if (!BASE64URL.test(signaturePart)) return { ok: false, reason: 'signature part is not base64url' }
  const header = decodeJsonObject(headerPart)
  if (header === null) return { ok: false, reason: 'header is not base64url-encoded JSON object' }
  const payload = decodeJsonObject(payloadPart)
  if (payload === null) return { ok: false, reason: 'payload is not base64url-encoded JSON object' }
  return { ok: true, shape: { header, payload } }
}

/**
 * The subject: `sub` as a non-empty string, or `sub.value` where `sub` is `{ key, value }`.
 *
 * @example
 * ```ts
 * subjectOf({ sub: { key: 'uid', value: 'alice' } }) // 'alice'
 * ```
 */
export const subjectOf = (payload: Readonly<Record<string, unknown>>): string | null => {
  const sub = payload['sub']
  if (typeof sub === 'string') return sub.length > 0 ? sub : null
  if (typeof sub === 'object' && sub !== null && !Array.isArray(sub)) {
    const value = (sub as Record<string, unknown>)['value']
    return typeof value === 'string' && value.length > 0 ? value : null
  }
  return null
}
