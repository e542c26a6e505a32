import { decodeJwt } from './decodeJwt.js'

/**
 * FNV-1a over UTF-16 code units, 32 bits, as 8 hex digits. Not a cryptographic hash: it only has
 * to tell tokens apart in a log; the signature it is taken over is public to whoever holds the
 * token, and 32 bits of it reveal nothing that would let anyone forge or replay it.
 */
const fnv1a = (text: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}

const compactUtc = (seconds: number): string => {
  const date = new Date(seconds * 1000)
  return Number.isNaN(date.getTime()) ? String(seconds) : `${date.toISOString().slice(0, 16)}Z`
}

/**
 * What logs, snapshots, inspector streams, the bridge and the server may show of a token (R18):
 * a fingerprint that tells tokens apart without revealing them. For a JWT it names the key id,
 * the expiry and a short hash of the signature (`jwt(kid=k1 exp=2026-12-02T10:00Z #1a2b3c4d)`);
 * for anything else, its length and a hash (`token(12 chars #1a2b3c4d)`). A prefix would not do:
 * every JWT starts with `eyJhbGci`.
 *
 * @example
 * ```ts
 * fingerprintToken(jwtFromMyServer) // 'jwt(kid=key-1 exp=2026-12-02T10:00Z #5e1f0c9a)'
 * fingerprintToken('not a jwt')     // 'token(9 chars #a1b7c2d0)'
 * ```
 */
export const fingerprintToken = (token: string): string => {
  const decoded = decodeJwt(token)
  if (decoded._tag === 'Left') return `token(${token.length} chars #${fnv1a(token)})`
  const { header, payload } = decoded.right
  const parts: string[] = []
  if (typeof header['kid'] === 'string') parts.push(`kid=${header['kid'].slice(0, 24)}`)
  if (typeof payload['exp'] === 'number') parts.push(`exp=${compactUtc(payload['exp'])}`)
  const signature = token.slice(token.lastIndexOf('.') + 1)
  parts.push(`#${fnv1a(signature.length > 0 ? signature : token)}`)
  return `jwt(${parts.join(' ')})`
}
