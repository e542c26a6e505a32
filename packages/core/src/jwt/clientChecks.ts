import * as E from '../model/either.js'
import { decodeJwt, expiryMsOf, subjectOf } from './decodeJwt.js'
import type { JwtErrorCode } from './errorCodes.js'

/**
 * A token that failed a client check (R6), with the code listeners receive.
 *
 * @example
 * ```ts
 * const checked = checkToken(token, 'user-42', { allowedAlgorithms: ['RS256'], clockSkewMs: 60_000, now: Date.now() })
 * if (E.isLeft(checked)) console.warn(checked.left.code, checked.left.message) // e.g. 'IDENTIFIER_MISMATCH'
 * ```
 */
export type ClientCheckFailure = { readonly code: JwtErrorCode; readonly message: string }

/**
 * What the R6 checks need: the allowed algorithms, the clock skew and the time now.
 *
 * @example
 * ```ts
 * const options: ClientCheckOptions = { allowedAlgorithms: ['RS256'], clockSkewMs: 60_000, now: Date.now() }
 * ```
 */
export type ClientCheckOptions = {
  readonly allowedAlgorithms: readonly string[]
  readonly clockSkewMs: number
  readonly now: number
}

/**
 * The client checks of R6, in order, on a token about to be stored or used. Returns its expiry
 * (ms) when it passes. The signature is not verified: the device has no key; the server does it.
 *
 * @example
 * ```ts
 * checkToken(token, 'user-1', { allowedAlgorithms: ['RS256'], clockSkewMs: 60_000, now: Date.now() })
 * ```
 */
export const checkToken = (
  token: string,
  identifier: string,
  options: ClientCheckOptions,
): E.Either<ClientCheckFailure, { readonly expiresAt: number }> => {
  const decoded = decodeJwt(token)
  if (E.isLeft(decoded)) return E.left({ code: 'DECRYPTION_FAILED', message: `token is not a JWT: ${decoded.left}` })
  const { header, payload } = decoded.right
  const alg = header['alg']
  if (typeof alg !== 'string' || !options.allowedAlgorithms.includes(alg)) {
    return E.left({ code: 'HEADER_TYPE_INCOMPATIBLE', message: `alg ${JSON.stringify(alg)} is not one of ${options.allowedAlgorithms.join(', ')}` })
  }
  const typ = header['typ']
  if (typ !== undefined && (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT')) {
    return E.left({ code: 'HEADER_TYPE_INCOMPATIBLE', message: `typ ${JSON.stringify(typ)} is not JWT` })
  }
  const expiresAt = expiryMsOf(payload)
  if (expiresAt === null) return E.left({ code: 'PAYLOAD_CONTENT_MISSING', message: 'token has no exp claim' })
  const subject = subjectOf(payload)
  if (subject === null) return E.left({ code: 'PAYLOAD_CONTENT_MISSING', message: 'token has no subject (sub)' })
  if (subject !== identifier) {
    return E.left({ code: 'IDENTIFIER_MISMATCH', message: 'token subject does not match the identifier' })
  }
  const expiry = isExpired(expiresAt, options)
  if (E.isLeft(expiry)) return expiry
  return E.right({ expiresAt })
}

/** R6 time check: expired when `now - clockSkewMs >= exp`. */
export const isExpired = (
  expiresAt: number,
  options: Pick<ClientCheckOptions, 'clockSkewMs' | 'now'>,
): E.Either<ClientCheckFailure, void> =>
  options.now - options.clockSkewMs >= expiresAt
    ? E.left({ code: 'TIME_CONSTRAINT_FAILURE', message: 'token has expired' })
    : E.right(undefined)
