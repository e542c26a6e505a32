import * as E from '../model/either.js'
import { checkToken, isExpired } from '../jwt/clientChecks.js'
import { decodeJwt, expiryMsOf } from '../jwt/decodeJwt.js'
import { hash64 } from '../jwt/hash.js'
import { JWT_ERROR_CODES, type AuthenticationError, type JwtErrorCode } from '../jwt/errorCodes.js'
import { identifierOf, identityKeyOf, type Identifier } from '../model/identity.js'
import { REFUSED_TOKENS_KEPT, type SyncContext, type TokenRecord } from './context.js'
import type { SyncEmitted } from './events.js'
import { unchanged, type Step } from './step.js'

/** Builds the listener's error (the shape documented in docs/integrating.md). */
export const authError = (
  context: SyncContext,
  source: 'server' | 'client',
  code: JwtErrorCode,
  details: { token?: string; identifier?: string; message?: string; deletedCount?: number },
): AuthenticationError => ({
  type: 'JWT',
  source,
  accountMeta: { appId: context.settings.appId },
  details: { code, numericCode: JWT_ERROR_CODES[code], ...details },
})

/**
 * R15: the same (identifier, token, code) reaches a listener once. Some errors are events of their
 * own and carry an `occurrence` instead: TOKEN_NOT_AVAILABLE once per wait (R5), each R11 deletion.
 */
const dedupeKey = (identifier: string, token: string | undefined, code: JwtErrorCode, occurrence?: string): string =>
  occurrence !== undefined ? `${identifier}|${occurrence}|${code}` : `${identifier}|${token ?? ''}|${code}`

export const emitAuthError = (
  context: SyncContext,
  source: 'server' | 'client',
  code: JwtErrorCode,
  details: { token?: string; identifier: string; message?: string; deletedCount?: number },
  occurrence?: string,
): SyncEmitted => ({
  type: 'authError',
  error: authError(context, source, code, details),
  dedupeKey: dedupeKey(details.identifier, details.token, code, occurrence),
})

/** The usable token for an identifier, if any. */
export const usableToken = (context: SyncContext, identifier: Identifier): string | null => {
  const record = context.tokens[identifier]
  return record !== undefined && record.status === 'usable' ? record.token : null
}

/** Opens an R5 wait (or marks the open one as opened by an error, so no TOKEN_NOT_AVAILABLE follows). */
export const openWait = (context: SyncContext, identifier: Identifier, openedByError: boolean): SyncContext => {
  const existing = context.waits[identifier]
  if (existing !== undefined) {
    return openedByError && !existing.openedByError
      ? { ...context, waits: { ...context.waits, [identifier]: { ...existing, openedByError: true } } }
      : context
  }
  return {
    ...context,
    waits: { ...context.waits, [identifier]: { id: context.nextWaitId, openedByError, notified: false } },
    nextWaitId: context.nextWaitId + 1,
  }
}

const closeWait = (context: SyncContext, identifier: Identifier): SyncContext => {
  if (context.waits[identifier] === undefined) return context
  const { [identifier]: _closed, ...waits } = context.waits
  return { ...context, waits }
}

const withToken = (context: SyncContext, identifier: Identifier, record: TokenRecord): SyncContext => ({
  ...context,
  tokens: { ...context.tokens, [identifier]: record },
})

/**
 * What `passAuthenticationDetails` makes of a token (R1, R6, R7), decided from the context alone.
 * The facade answers the app from it and the statechart applies it: one rule, one call.
 */
export type TokenJudgement =
  | { readonly kind: 'jwt-disabled' }
  | { readonly kind: 'already-usable' }
  | { readonly kind: 'refused-before'; readonly code: JwtErrorCode }
  | { readonly kind: 'invalid'; readonly code: JwtErrorCode; readonly message: string }
  | { readonly kind: 'accepted'; readonly expiresAt: number | null }

/**
 * Judges a token passed for an identifier: JWT off (R1), the same usable token again, a token the
 * server already refused (R7, recognised by its digest), a failed client check (R6), or accepted.
 *
 * @example
 * ```ts
 * const judgement = judgeToken(actor.getSnapshot().context, 'user-42' as Identifier, token, Date.now())
 * if (judgement.kind === 'invalid') console.warn(judgement.code)
 * ```
 */
export const judgeToken = (context: SyncContext, identifier: Identifier, token: string, now: number): TokenJudgement => {
  if (!context.settings.isJwtEnabled) return { kind: 'jwt-disabled' }
  const existing = context.tokens[identifier]
  if (existing !== undefined && existing.token === token && existing.status === 'usable') return { kind: 'already-usable' }
  const digest = hash64(token)
  const refused = context.refusedTokens[identifier]?.find((entry) => entry.digest === digest)
  if (refused !== undefined) return { kind: 'refused-before', code: refused.code }
  if (!context.settings.clientValidation) {
    const decoded = decodeJwt(token)
    return { kind: 'accepted', expiresAt: E.isRight(decoded) ? expiryMsOf(decoded.right.payload) : null }
  }
  const checked = checkToken(token, identifier, { allowedAlgorithms: context.settings.allowedAlgorithms, clockSkewMs: context.settings.clockSkewMs, now })
  return E.isLeft(checked) ? { kind: 'invalid', ...checked.left } : { kind: 'accepted', expiresAt: checked.right.expiresAt }
}

/**
 * What `passAuthenticationDetails` answers for a judgement: `Right` when the token is (or stays)
 * usable, otherwise the code and why.
 *
 * @example
 * ```ts
 * tokenVerdict(judgeToken(context, identifier, token, now)) // Left({ code: 'TIME_CONSTRAINT_FAILURE', ... })
 * ```
 */
export const tokenVerdict = (judgement: TokenJudgement): E.Either<{ readonly code: JwtErrorCode | 'JWT_DISABLED'; readonly message: string }, void> => {
  switch (judgement.kind) {
    case 'jwt-disabled':
      return E.left({ code: 'JWT_DISABLED', message: 'JWT is disabled in networkConfig.authorizationConfig' })
    case 'refused-before':
      return E.left({ code: judgement.code, message: 'this token was already rejected by the server; pass a new one' })
    case 'invalid':
      return E.left({ code: judgement.code, message: judgement.message })
    case 'already-usable':
    case 'accepted':
      return E.right(undefined)
  }
}

/**
 * `passAuthenticationDetails` applied (R1, R6, R7, R16). A token failing a client check is never
 * stored over a usable one and never sent; a token the server rejected changes nothing when passed
 * again; a good token ends the identifier's wait and makes sync resume (R12).
 */
export const passToken = (context: SyncContext, identifier: Identifier, token: string, now: number): Step => {
  const judgement = judgeToken(context, identifier, token, now)
  switch (judgement.kind) {
    case 'jwt-disabled':
    case 'already-usable':
    case 'refused-before':
      return unchanged(context)
    case 'accepted':
      return acceptToken(context, identifier, token, judgement.expiresAt)
    case 'invalid': {
      const { code, message } = judgement
      const hasUsable = usableToken(context, identifier) !== null
      const next = hasUsable ? context : openWait(withToken(context, identifier, { token, status: 'invalid', expiresAt: null, errorCode: code }), identifier, true)
      return {
        context: next,
        emits: [
          emitAuthError(context, 'client', code, { token, identifier, message }),
          ...(hasUsable ? [] : [{ type: 'tokenWanted', identifier, reason: 'invalid' } as const]),
        ],
      }
    }
  }
}

const acceptToken = (context: SyncContext, identifier: Identifier, token: string, expiresAt: number | null): Step => ({
  context: closeWait(withToken(context, identifier, { token, status: 'usable', expiresAt }), identifier),
  emits: [
    { type: 'authResolved', identifier },
    { type: 'tokenStored', identifier, expiresAt },
  ],
})

/**
 * R6 at the moment of use: a usable token of an identity with pending items that has expired
 * (allowing clock skew) is marked expired and reported, and its wait is opened by that error.
 */
export const expireStaleTokens = (context: SyncContext, now: number): Step => {
  if (!context.settings.isJwtEnabled || !context.settings.clientValidation) return unchanged(context)
  let next = context
  const emits: SyncEmitted[] = []
  for (const [identifier, record] of Object.entries(context.tokens)) {
    const id = identifier as Identifier
    if (record.status !== 'usable' || record.expiresAt === null) continue
    if ((context.pendingByIdentity[identityKeyOf(id)] ?? 0) === 0) continue
    if (E.isRight(isExpired(record.expiresAt, { clockSkewMs: context.settings.clockSkewMs, now }))) continue
    next = openWait(withToken(next, id, { ...record, status: 'expired', errorCode: 'TIME_CONSTRAINT_FAILURE' }), id, true)
    emits.push(emitAuthError(context, 'client', 'TIME_CONSTRAINT_FAILURE', { token: record.token, identifier: id, message: 'token has expired' }))
    emits.push({ type: 'tokenWanted', identifier: id, reason: 'invalid' })
  }
  return { context: next, emits }
}

/**
 * R5: every identified user with pending items and no usable token waits; the listener hears
 * TOKEN_NOT_AVAILABLE once per wait, unless an R6/R7 error opened it. Users being logged out are
 * handled by R11 instead.
 */
export const openWaitsForMissingTokens = (context: SyncContext): Step => {
  if (!context.settings.isJwtEnabled) return unchanged(context)
  let next = context
  const emits: SyncEmitted[] = []
  for (const [key, count] of Object.entries(context.pendingByIdentity)) {
    const identifier = identifierOf(key as never)
    if (identifier === null || count === 0 || context.loggingOut.includes(identifier)) continue
    if (usableToken(next, identifier) !== null) continue
    const isNew = next.waits[identifier] === undefined
    next = openWait(next, identifier, false)
    const wait = next.waits[identifier]
    if (wait !== undefined && !wait.openedByError && !wait.notified) {
      next = { ...next, waits: { ...next.waits, [identifier]: { ...wait, notified: true } } }
      emits.push(emitAuthError(context, 'client', 'TOKEN_NOT_AVAILABLE', { identifier, message: 'no usable token for pending items' }, `wait:${wait.id}`))
    }
    if (isNew) emits.push({ type: 'tokenWanted', identifier, reason: 'missing' })
  }
  return { context: next, emits }
}

/** Remembers a token the server refused, so it is never used again for that identifier (R7, S1). */
export const rememberRefusal = (context: SyncContext, identifier: Identifier, token: string, code: JwtErrorCode): SyncContext => {
  const digest = hash64(token)
  const remembered = [{ digest, code }, ...(context.refusedTokens[identifier] ?? []).filter((entry) => entry.digest !== digest)]
  return { ...context, refusedTokens: { ...context.refusedTokens, [identifier]: remembered.slice(0, REFUSED_TOKENS_KEPT) } }
}

/**
 * R7: the server refused a token. It becomes rejected unless a different token arrived while the
 * request was in flight; the identifier waits for a new token.
 */
export const rejectToken = (context: SyncContext, identifier: Identifier, token: string, code: JwtErrorCode, message: string): Step => {
  const current = context.tokens[identifier]
  const stillCurrent = current !== undefined && current.token === token
  const withRefusal = rememberRefusal(context, identifier, token, code)
  const next = stillCurrent ? openWait(withToken(withRefusal, identifier, { ...current, status: 'rejected', errorCode: code }), identifier, true) : withRefusal
  return {
    context: next,
    emits: [
      emitAuthError(context, 'server', code, { token, identifier, message }),
      ...(stillCurrent ? [{ type: 'tokenWanted', identifier, reason: 'rejected' } as const] : []),
    ],
  }
}

/** R11: forgets a logged-out user's token, in memory and (through the persisted state) in storage. */
export const forgetToken = (context: SyncContext, identifier: Identifier): SyncContext => {
  // Refused tokens stay remembered as digests: a token the server refused is never sent again (S1).
  const { [identifier]: _forgotten, ...tokens } = context.tokens
  return closeWait({ ...context, tokens }, identifier)
}
