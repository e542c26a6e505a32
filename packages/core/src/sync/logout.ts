import { identityKeyOf } from '../model/identity.js'
import type { OwedDeletion, SyncContext } from './context.js'
import type { SyncEmitted } from './events.js'
import { emitAuthError, forgetToken } from './authentication.js'
import type { Step } from './step.js'

/**
 * R11 deletion, carried out in the `logoutFlush.deleting` state: every pending item of the
 * logged-out user leaves the queue (frozen batches included), nothing is retried, the user's
 * token is forgotten, and the listener hears why with `deletedCount`.
 *
 * @example
 * ```ts
 * deleteLoggedOutUser(context, { identifier, source: 'server', code: 'INVALID_SIGNATURE', message, token })
 * ```
 */
export const deleteLoggedOutUser = (context: SyncContext, deletion: OwedDeletion): Step => {
  const { identifier, source, code, message, token } = deletion
  const key = identityKeyOf(identifier)
  const deletedCount = context.pendingByIdentity[key] ?? 0
  const { [key]: _deleted, ...pendingByIdentity } = context.pendingByIdentity
  const next = forgetToken(
    {
      ...context,
      pendingByIdentity,
      outbox: context.outbox.filter((batch) => batch.identity !== key),
      loggingOut: context.loggingOut.filter((user) => user !== identifier),
      owedDeletions: context.owedDeletions.filter((owed) => owed.identifier !== identifier),
      totals: { ...context.totals, deleted: context.totals.deleted + deletedCount },
    },
    identifier,
  )
  const emits: SyncEmitted[] = [
    // With the token forgotten in the same tick, this commit leaves nothing of the user at rest.
    { type: 'persist', write: { removeIdentities: [key], erase: true } },
    emitAuthError(
      context,
      source,
      code,
      { identifier, message, deletedCount, ...(token !== undefined ? { token } : {}) },
      // Each deletion is news of its own (R15 de-duplication must not swallow its deletedCount).
      `deletion:${context.totals.deleted}`,
    ),
    { type: 'log', level: 'warn', message: 'deleted a logged-out user\'s pending items (R11)', fields: { code, deletedCount } },
  ]
  return { context: next, emits }
}

/**
 * R11 bookkeeping before each decision: a logged-out user with nothing left pending is done, and
 * the user's token is forgotten in memory and storage (no earlier copy left at rest).
 */
export const settleLoggedOutUsers = (context: SyncContext): Step => {
  let next = context
  for (const identifier of context.loggingOut) {
    if ((next.pendingByIdentity[identityKeyOf(identifier)] ?? 0) > 0) continue
    next = forgetToken({ ...next, loggingOut: next.loggingOut.filter((user) => user !== identifier) }, identifier)
  }
  // The token record without them is written in this tick; erase makes the storage drop the old one.
  return { context: next, emits: next === context ? [] : [{ type: 'persist', write: { erase: true } }] }
}
