import { compactVerify } from 'jose'
import * as E from 'fp-ts/lib/Either.js'
import { JWT_ERROR_CODES, type JwtErrorCode } from '@jwt-sync/core'
import type { TrustedKey } from '../keys/trustedKey.js'
import { readTokenShape, subjectOf, type TokenShape } from './tokenShape.js'
import type { RsaAlgorithm } from './algorithms.js'

/**
 * The checks of `docs/wire-protocol.md` ("How the reference server checks a batch"), steps 3 to 9, in order.
 *
 * @example
 * ```ts
 * verdict.checks.find((check) => check.check === 'signature')
 * ```
 */
export type CheckName = 'token-present' | 'size' | 'structure' | 'header' | 'claims' | 'signature' | 'time' | 'subject'

/**
 * One check's verdict; `code` is what the server answers when this check is the first to fail.
 *
 * @example
 * ```ts
 * for (const check of verdict.checks) console.log(check.verdict, check.check, check.detail)
 * ```
 */
export type CheckOutcome = {
  readonly check: CheckName
  readonly verdict: 'pass' | 'fail' | 'skip'
  readonly code: JwtErrorCode
  readonly detail: string
}

/**
 * Why a token was refused: the `code`, `numericCode` and `message` of the 401's JWT `error` body
 * (enforcement `required`; with `optional` the code goes to `X-Auth-Result` and the batch is accepted).
 *
 * @example
 * ```ts
 * if (E.isLeft(verdict.decision)) console.log(verdict.decision.left.code, verdict.decision.left.numericCode)
 * ```
 */
export type TokenRejection = { readonly code: JwtErrorCode; readonly numericCode: number; readonly message: string }

/**
 * A token that passed every check.
 *
 * @example
 * ```ts
 * if (E.isRight(verdict.decision)) console.log(verdict.decision.right.subject)
 * ```
 */
export type AcceptedToken = { readonly subject: string; readonly kid: string; readonly expiresAt: number }

/**
 * Everything the checks need. `identifier: null` skips the subject check (CLI without `--identifier`).
 *
 * @example
 * ```ts
 * const context: VerificationContext = { keys, allowedAlgorithms: ['RS256'], clockSkewMs: 60_000, maxTokenBytes: 8192, now: Date.now(), identifier: 'alice' }
 * ```
 */
export type VerificationContext = {
  readonly keys: readonly TrustedKey[]
  readonly allowedAlgorithms: readonly RsaAlgorithm[]
  readonly clockSkewMs: number
  readonly maxTokenBytes: number
  readonly now: number
  readonly identifier: string | null
  /** `false` skips the signature check (CLI without `--key`); the server always checks. */
  readonly verifySignature?: boolean
}

/**
 * The result: every check run (all of them in `explain` mode, up to the first failure in `decide`
 * mode) and the decision, which is the first failure in protocol order.
 *
 * @example
 * ```ts
 * const verdict: TokenVerdict = await verifyToken(token, context, 'explain')
 * ```
 */
export type TokenVerdict = {
  readonly checks: readonly CheckOutcome[]
  readonly decision: E.Either<TokenRejection, AcceptedToken>
}

type Step = (state: StepState) => Promise<CheckOutcome>
type StepState = {
  readonly token: string | null
  readonly context: VerificationContext
  shape: TokenShape | null
  subject: string | null
  expiresAt: number | null
  kid: string | null
}

const pass = (check: CheckName, code: JwtErrorCode, detail: string): CheckOutcome => ({ check, verdict: 'pass', code, detail })
const fail = (check: CheckName, code: JwtErrorCode, detail: string): CheckOutcome => ({ check, verdict: 'fail', code, detail })
const skip = (check: CheckName, code: JwtErrorCode, detail: string): CheckOutcome => ({ check, verdict: 'skip', code, detail })

const describe = (value: unknown): string => JSON.stringify(value) ?? String(value)

const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

const steps: readonly Step[] = [
  async ({ token }) =>
    token === null || token.length === 0
      ? fail('token-present', 'TOKEN_NOT_AVAILABLE', 'no bearer token in the Authorization header')
      : pass('token-present', 'TOKEN_NOT_AVAILABLE', 'bearer token present'),
  async ({ token, context }) => {
    if (token === null) return skip('size', 'DECRYPTION_FAILED', 'no token')
    const bytes = Buffer.byteLength(token, 'utf8')
    return bytes > context.maxTokenBytes
      ? fail('size', 'DECRYPTION_FAILED', `token is ${bytes} bytes, more than the ${context.maxTokenBytes} allowed`)
      : pass('size', 'DECRYPTION_FAILED', `${bytes} bytes (at most ${context.maxTokenBytes})`)
  },
  async (state) => {
    if (state.token === null) return skip('structure', 'DECRYPTION_FAILED', 'no token')
    const read = readTokenShape(state.token)
    if (!read.ok) return fail('structure', 'DECRYPTION_FAILED', read.reason)
    state.shape = read.shape
    return pass('structure', 'DECRYPTION_FAILED', 'JWS compact: base64url JSON header and payload')
  },
  async ({ shape, context }) => {
    if (shape === null) return skip('header', 'HEADER_TYPE_INCOMPATIBLE', 'token not decodable')
    const { alg, typ, crit } = shape.header
    if (typeof alg !== 'string' || !(context.allowedAlgorithms as readonly string[]).includes(alg)) {
      return fail('header', 'HEADER_TYPE_INCOMPATIBLE', `alg ${describe(alg)} is not one of ${context.allowedAlgorithms.join(', ')}`)
    }
    if (typ !== undefined && (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT')) {
      return fail('header', 'HEADER_TYPE_INCOMPATIBLE', `typ ${describe(typ)} is not JWT`)
    }
    // No JWS extension is understood, so a critical one must be refused (RFC 7515 4.1.11).
    if (crit !== undefined) return fail('header', 'HEADER_TYPE_INCOMPATIBLE', `crit ${describe(crit)} names extensions the server does not support`)
    return pass('header', 'HEADER_TYPE_INCOMPATIBLE', `alg ${alg}${typ === undefined ? '' : `, typ ${String(typ)}`}`)
  },
  async (state) => {
    if (state.shape === null) return skip('claims', 'PAYLOAD_CONTENT_MISSING', 'token not decodable')
    const { payload } = state.shape
    if (!isNumericDate(payload['exp'])) return fail('claims', 'PAYLOAD_CONTENT_MISSING', payload['exp'] === undefined ? 'no exp claim' : `exp ${describe(payload['exp'])} is not a number`)
    state.expiresAt = payload['exp'] * 1000
    state.subject = subjectOf(payload)
    if (state.subject === null) return fail('claims', 'PAYLOAD_CONTENT_MISSING', 'no subject: sub must be a string or {key, value}')
    return pass('claims', 'PAYLOAD_CONTENT_MISSING', `exp and subject present`)
  },
  async (state) => {
    const { token, shape, context } = state
    if (token === null || shape === null) return skip('signature', 'INVALID_SIGNATURE', 'token not decodable')
    if (context.verifySignature === false) return skip('signature', 'INVALID_SIGNATURE', 'not checked: no public key given')
    const kid = shape.header['kid']
    if (kid !== undefined && typeof kid !== 'string') return fail('signature', 'INVALID_SIGNATURE', `kid ${describe(kid)} is not a string`)
    if (context.keys.length === 0) return fail('signature', 'INVALID_SIGNATURE', 'the app has no public key')
    const candidates = kid === undefined ? context.keys : context.keys.filter((key) => key.kid === kid)
    if (candidates.length === 0) return fail('signature', 'INVALID_SIGNATURE', `no public key with kid ${describe(kid)}`)
    let reason = ''
    for (const candidate of candidates) {
      try {
        // Only the keys the app registered are used: jwk, jku and x5u in the header are ignored.
        await compactVerify(token, candidate.key, { algorithms: [...context.allowedAlgorithms] })
        state.kid = candidate.kid
        return pass('signature', 'INVALID_SIGNATURE', `verified with key ${candidate.kid}`)
      } catch (error) {
        // try the next active key (rotation); keep jose's reason for `jwt-sync verify`
        const code = (error as { code?: unknown }).code
        reason = typeof code === 'string' ? ` (${code})` : ''
      }
    }
    return fail(
      'signature',
      'INVALID_SIGNATURE',
      (kid === undefined ? `signature valid for none of the app's ${candidates.length} key(s)` : `signature not valid for key ${kid}`) + reason,
    )
  },
  async ({ shape, context }) => {
    if (shape === null) return skip('time', 'TIME_CONSTRAINT_FAILURE', 'token not decodable')
    const { exp, nbf, iat } = shape.payload
    const { now, clockSkewMs } = context
    const at = (seconds: number): string => new Date(seconds * 1000).toISOString()
    if (exp !== undefined) {
      if (!isNumericDate(exp)) return skip('time', 'TIME_CONSTRAINT_FAILURE', 'no numeric exp')
      // The same rule as the SDK's client check (R6): expired when now - skew >= exp.
      if (now - clockSkewMs >= exp * 1000) return fail('time', 'TIME_CONSTRAINT_FAILURE', `expired at ${at(exp)} (skew ${clockSkewMs} ms)`)
    }
    if (nbf !== undefined) {
      if (!isNumericDate(nbf)) return fail('time', 'TIME_CONSTRAINT_FAILURE', `nbf ${describe(nbf)} is not a number`)
      if (now + clockSkewMs < nbf * 1000) return fail('time', 'TIME_CONSTRAINT_FAILURE', `not valid before ${at(nbf)} (skew ${clockSkewMs} ms)`)
    }
    if (iat !== undefined) {
      if (!isNumericDate(iat)) return fail('time', 'TIME_CONSTRAINT_FAILURE', `iat ${describe(iat)} is not a number`)
      if (iat * 1000 > now + clockSkewMs) return fail('time', 'TIME_CONSTRAINT_FAILURE', `issued in the future at ${at(iat)} (skew ${clockSkewMs} ms)`)
    }
    return exp === undefined
      ? skip('time', 'TIME_CONSTRAINT_FAILURE', 'no exp')
      : pass('time', 'TIME_CONSTRAINT_FAILURE', `valid until ${at(exp)} (skew ${clockSkewMs} ms)`)
  },
  async ({ subject, context }) => {
    if (subject === null) return skip('subject', 'IDENTIFIER_MISMATCH', 'no subject')
    if (context.identifier === null) return skip('subject', 'IDENTIFIER_MISMATCH', `not checked: no identifier given (subject is ${describe(subject)})`)
    return subject === context.identifier
      ? pass('subject', 'IDENTIFIER_MISMATCH', `subject matches ${describe(context.identifier)}`)
      : fail('subject', 'IDENTIFIER_MISMATCH', `subject ${describe(subject)} is not the batch identity ${describe(context.identifier)}`)
  },
]

/**
 * The one place where a token is judged, shared by the server (mode `decide`: stops at the first
 * failure) and `jwt-sync verify` (mode `explain`: runs every check it can, so the developer sees
 * all that is wrong; the decision is still the first failure in protocol order).
 *
 * @example
 * ```ts
 * const verdict = await verifyToken(token, { keys, allowedAlgorithms: ['RS256'], clockSkewMs: 60_000,
 *   maxTokenBytes: 8192, now: Date.now(), identifier: 'alice' }, 'decide')
 * if (E.isLeft(verdict.decision)) console.log(verdict.decision.left.code)
 * ```
 */
export const verifyToken = async (
  token: string | null,
  context: VerificationContext,
  mode: 'decide' | 'explain',
): Promise<TokenVerdict> => {
  const state: StepState = { token, context, shape: null, subject: null, expiresAt: null, kid: null }
  const checks: CheckOutcome[] = []
  let firstFailure: CheckOutcome | null = null
  for (const step of steps) {
    const outcome = await step(state)
    checks.push(outcome)
    if (outcome.verdict === 'fail' && firstFailure === null) {
      firstFailure = outcome
      if (mode === 'decide') break
    }
  }
  if (firstFailure !== null) {
    return {
      checks,
      decision: E.left({ code: firstFailure.code, numericCode: JWT_ERROR_CODES[firstFailure.code], message: firstFailure.detail }),
    }
  }
  if (state.subject === null || state.expiresAt === null) {
    // Unreachable when all checks passed; kept as a value rather than a throw.
    return { checks, decision: E.left({ code: 'UNKNOWN', numericCode: JWT_ERROR_CODES.UNKNOWN, message: 'incomplete verification' }) }
  }
  return { checks, decision: E.right({ subject: state.subject, kid: state.kid ?? '', expiresAt: state.expiresAt }) }
}

/**
 * The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or null.
 *
 * @example
 * ```ts
 * bearerTokenOf('Bearer abc.def.ghi') // 'abc.def.ghi'
 * ```
 */
export const bearerTokenOf = (authorization: string | undefined): string | null => {
  if (authorization === undefined) return null
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization)
  return match?.[1] ?? null
}
