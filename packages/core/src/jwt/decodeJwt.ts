import * as E from '../model/either.js'
import { decodeBase64Url, decodeUtf8 } from './base64url.js'

/** A JWT's header and payload, decoded without verifying the signature (the server verifies). */
export type DecodedJwt = {
  readonly header: Readonly<Record<string, unknown>>
  readonly payload: Readonly<Record<string, unknown>>
}

const decodeJsonPart = (part: string): Record<string, unknown> | null => {
  const bytes = decodeBase64Url(part)
  if (bytes === null) return null
  const text = decodeUtf8(bytes)
  if (text === null) return null
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/**
 * Splits a compact JWS into its JSON header and payload. `Left` when it is not three base64url
 * parts of which the first two are JSON objects (R6: `DECRYPTION_FAILED`).
 *
 * @example
 * ```ts
 * decodeJwt('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln') // Right({ header: { alg: 'RS256' }, payload: { sub: 'u1' } })
 * ```
 */
export const decodeJwt = (token: string): E.Either<string, DecodedJwt> => {
  const parts = token.split('.')
  if (parts.length !== 3) return E.left(`expected 3 dot-separated parts, got ${parts.length}`)
  const [headerPart = '', payloadPart = '', signature = ''] = parts
  // An empty signature (alg none) still decodes, so the algorithm check names the real problem,
  // as the reference server does.
  if (decodeBase64Url(signature) === null) return E.left('signature is not base64url')
  const header = decodeJsonPart(headerPart)
  if (header === null) return E.left('header is not base64url JSON')
  const payload = decodeJsonPart(payloadPart)
  if (payload === null) return E.left('payload is not base64url JSON')
  return E.right({ header, payload })
}

/**
 * The subject: `sub` as a string, or `sub.value` where `sub` is `{ key, value }` (R6).
 *
 * @example
 * ```ts
 * subjectOf({ sub: 'user-42' }) // 'user-42'
 * subjectOf({ sub: { key: 'uid', value: 'user-42' } }) // 'user-42'
 * ```
 */
export const subjectOf = (payload: Readonly<Record<string, unknown>>): string | null => {
  const sub = payload['sub']
  if (typeof sub === 'string') return sub.length > 0 ? sub : null
  if (typeof sub === 'object' && sub !== null) {
    const value = (sub as Record<string, unknown>)['value']
    return typeof value === 'string' && value.length > 0 ? value : null
  }
  return null
}

/**
 * `exp` in milliseconds, or null when absent or not a number.
 *
 * @example
 * ```ts
 * expiryMsOf({ exp: 1_700_000_000 }) // 1_700_000_000_000
 * expiryMsOf({}) // null
 * ```
 */
export const expiryMsOf = (payload: Readonly<Record<string, unknown>>): number | null => {
  const exp = payload['exp']
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null
}
