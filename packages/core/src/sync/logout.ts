import { identityKeyOf, type Identifier } from '../model/identity.js'
import type { SyncContext } from './context.js'
import type { SyncEmitted } from './events.js'
import { emitAuthError, forgetToken, usableToken } from './authentication.js'
import type { JwtErrorCode } from '../jwt/errorCodes.js'
import type { Step } from './step.js'

/**
 * R11 deletion: every pending item of a logged-out user leaves the queue (frozen batches
 * included), nothing is retried, the user's token is forgotten, and the listener hears why with
 * `deletedCount`.
 */
export const deleteLoggedOutUser = (
  context: SyncContext,
  identifier: Identifier,
  source: 'server' | 'client',
  code: JwtErrorCode,
  message: string,
  failedToken?: string,
): Step => {
  const key = identityKeyOf(identifier)
  const deletedCount = context.pendingByIdentity[key] ?? 0
  const { [key]: _deleted, ...pendingByIdentity } = context.pendingByIdentity
  const next = forgetToken(
    {
      ...context,
      pendingByIdentity,
      outbox: context.outbox.filter((batch) => batch.identity !== key),
      loggingOut: context.loggingOut.filter((user) => user !== identifier),
      totals: { ...context.totals, deleted: context.totals.deleted + deletedCount },
    },
    identifier,
  )
  const emits: SyncEmitted[] = [
    { type: 'persist', write: { removeIdentities: [key] } },
    emitAuthError(
      context,
      source,
      code,
      { identifier, message, deletedCount, ...(failedToken !== undefined ? { token: failedToken } : {}) },
      // Each deletion is news of its own (R15 de-duplication must not swallow its deletedCount).
      `deletion:${context.totals.deleted}`,
    ),
    { type: 'log', level: 'warn', message: 'deleted a logged-out user\'s pending items (R11)', fields: { code, deletedCount } },
  ]
  return { context: next, emits }
}

/**
 * R11 bookkeeping before each sync attempt: a logged-out user with nothing left pending is done
 * (token forgotten); one with pending items but no usable token loses them (TOKEN_NOT_AVAILABLE).
 */
export const settleLoggedOutUsers = (context: SyncContext): Step => {
  let next = context
  const emits: SyncEmitted[] = []
  for (const identifier of context.loggingOut) {
    const pending = next.pendingByIdentity[identityKeyOf(identifier)] ?? 0
    if (pending === 0) {
      next = forgetToken({ ...next, loggingOut: next.loggingOut.filter((user) => user !== identifier) }, identifier)
      continue
    }
    if (next.settings.isJwtEnabled && usableToken(next, identifier) === null) {
      const step = deleteLoggedOutUser(next, identifier, 'client', 'TOKEN_NOT_AVAILABLE', 'no usable token for the logged-out user\'s pending items')
      next = step.context
      emits.push(...step.emits)
    }
  }
  return { context: next, emits }
}
