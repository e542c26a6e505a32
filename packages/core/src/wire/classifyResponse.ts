import * as E from '../model/either.js'
import { JWT_ERROR_CODES, type JwtErrorCode } from '../jwt/errorCodes.js'
import type { HttpResponse, TransportFailure } from '../ports/transport.js'
import { parseRetryAfterMs } from './retryAfter.js'
import { JwtErrorBodyCodec, ValidationErrorBodyCodec } from './protocol.js'

/**
 * What one batch request came to. The statechart decides what each kind means.
 *
 * @example
 * ```ts
 * const outcome: SendOutcome = classifyResponse(E.right({ status: 413, headers: {}, body: '' }), Date.now())
 * // { kind: 'too-large' }
 * ```
 */
export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'auth-failed'; readonly code: JwtErrorCode; readonly numericCode: number; readonly message: string }
  | { readonly kind: 'transient'; readonly reason: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'rejected'; readonly status: number; readonly itemIds: readonly string[] | null; readonly message: string }

const parseJson = (body: string): unknown => {
  try {
    return JSON.parse(body) as unknown
  } catch {
    return undefined
  }
}

const isTransientStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500

/**
 * Classifies a transport result (docs/wire-protocol.md, R7, R9, R10). Malformed bodies never crash: a 2xx
 * counts as delivered, an unreadable 401 is `UNKNOWN`, anything else goes by its status.
 *
 * @example
 * ```ts
 * classifyResponse(E.right({ status: 503, headers: { 'retry-after': '5' }, body: '' }), Date.now())
 * // { kind: 'transient', reason: 'HTTP 503', retryAfterMs: 5000 }
 * ```
 */
export const classifyResponse = (result: E.Either<TransportFailure, HttpResponse>, now: number): SendOutcome => {
  if (E.isLeft(result)) return { kind: 'transient', reason: `${result.left.kind}: ${result.left.message}`, retryAfterMs: null }
  const { status, headers, body } = result.right
  if (status >= 200 && status < 300) return { kind: 'delivered', status }
  if (status === 401) {
    const decoded = JwtErrorBodyCodec.decode(parseJson(body))
    if (E.isLeft(decoded)) return { kind: 'auth-failed', code: 'UNKNOWN', numericCode: JWT_ERROR_CODES.UNKNOWN, message: 'unreadable 401 body' }
    const { code, message } = decoded.right.error
    return { kind: 'auth-failed', code, numericCode: JWT_ERROR_CODES[code], message: message ?? code }
  }
  if (isTransientStatus(status)) {
    return { kind: 'transient', reason: `HTTP ${status}`, retryAfterMs: parseRetryAfterMs(headers['retry-after'], now) }
  }
  if (status === 413) return { kind: 'too-large' }
  if (status >= 400 && status < 500) {
    const decoded = ValidationErrorBodyCodec.decode(parseJson(body))
    const itemIds = E.isRight(decoded) ? (decoded.right.error.itemIds ?? null) : null
    const message = E.isRight(decoded) ? (decoded.right.error.message ?? `HTTP ${status}`) : `HTTP ${status}`
    return { kind: 'rejected', status, itemIds, message }
  }
  return { kind: 'transient', reason: `unexpected HTTP ${status}`, retryAfterMs: null }
}
