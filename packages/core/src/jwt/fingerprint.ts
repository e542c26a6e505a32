import { decodeJwt } from './decodeJwt.js'
import { fnv1a32 } from './hash.js'

const compactUtc = (seconds: number): string => {
  const date = new Date(seconds * 1000)
  return Number.isNaN(date.getTime()) ? String(seconds) : `${date.toISOString().slice(0, 16)}Z`
}

/**
 * What logs, snapshots, inspector streams, the bridge and the server may show of a token (R18):
 * a fingerprint that tells tokens apart without revealing them. For a JWT it names the key id,
 * the expiry and a short hash of the signature (`jwt(kid=k1 exp=2026-12-02T10:00Z #1a2b3c4d)`);
 * for anything else, its length and a hash (`token(12 chars #1a2b3c4d)`). A prefix would not do:
 * every JWT starts with `eyJhbGci`. 32 bits of the signature are enough to tell tokens apart in a
 * log and reveal nothing that would help forge or replay one.
 *
 * @example
 * ```ts
 * fingerprintToken(jwtFromMyServer) // 'jwt(kid=key-1 exp=2026-12-02T10:00Z #5e1f0c9a)'
 * fingerprintToken('not a jwt')     // 'token(9 chars #a1b7c2d0)'
 * ```
 */
export const fingerprintToken = (token: string): string => {
  const decoded = decodeJwt(token)
  if (decoded._tag === 'Left') return `token(${token.length} chars #${fnv1a32(token)})`
  const { header, payload } = decoded.right
  const parts: string[] = []
  if (typeof header['kid'] === 'string') parts.push(`kid=${header['kid'].slice(0, 24)}`)
  if (typeof payload['exp'] === 'number') parts.push(`exp=${compactUtc(payload['exp'])}`)
  const signature = token.slice(token.lastIndexOf('.') + 1)
  parts.push(`#${fnv1a32(signature.length > 0 ? signature : token)}`)
  return `jwt(${parts.join(' ')})`
}
