import type { StorageWrite } from '../ports/storage.js'
import type { SyncContext } from '../sync/context.js'

// Which writes must be in storage before the next request leaves, and which may follow it. The
// persister commits both kinds in order; only the wait before a request differs (see `Persister`).

/**
 * Whether the state a new context writes may reach storage after the next request leaves. Only
 * what a delivery changes may: frozen batches leaving the outbox (no batch joins it) and a session
 * record whose refusal count did not grow. Lost in a crash, those only make a delivered batch go
 * again (R14, de-duplicated) or keep a count that was higher (R8 stays bounded). Everything else
 * (a newly frozen batch, R14; a count that grew, R8; a refused token, S1; identity, tokens,
 * logouts) must be durable before the next request.
 *
 * @example
 * ```ts
 * persister.setState('outbox', value, stateMayFollowRequest(previous, next))
 * ```
 */
export const stateMayFollowRequest = (previous: SyncContext | null, next: SyncContext): boolean => {
  if (previous === null) return false
  if (previous.identifier !== next.identifier || previous.tokens !== next.tokens || previous.refusedTokens !== next.refusedTokens || previous.loggingOut !== next.loggingOut) return false
  if (previous.session !== next.session) {
    if (previous.session.id !== next.session.id || next.session.consecutiveAuthFailures > previous.session.consecutiveAuthFailures) return false
  }
  if (previous.outbox !== next.outbox) {
    const before = new Set(previous.outbox.map((batch) => batch.batchId))
    if (next.outbox.some((batch) => !before.has(batch.batchId))) return false
  }
  return true
}

/**
 * Whether a write may reach storage after the next request leaves: an acknowledgement (removals of
 * delivered items and nothing else). Lost in a crash, its items go again in their frozen batch
 * (R14), and the server de-duplicates them.
 *
 * @example
 * ```ts
 * persister.enqueue(write, writeMayFollowRequest(write))
 * ```
 */
export const writeMayFollowRequest = (write: StorageWrite): boolean =>
  write.remove !== undefined &&
  write.remove.length > 0 &&
  (write.append === undefined || write.append.length === 0) &&
  (write.removeIdentities === undefined || write.removeIdentities.length === 0) &&
  (write.deadLetters === undefined || write.deadLetters.length === 0) &&
  (write.state === undefined || Object.keys(write.state).length === 0) &&
  write.erase !== true
