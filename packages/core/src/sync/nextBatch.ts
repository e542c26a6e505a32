import type { BatchId, StoredItem } from '../model/item.js'
import type { IdentityKey } from '../model/identity.js'
import type { FrozenBatch, SyncContext } from './context.js'
import { planNext, type SyncPlan } from './plan.js'

/**
 * The oldest pending items of one identity, read by the send actor right after its batch was
 * delivered (that batch's items left out): the next batch, ready before the statechart decides.
 *
 * @example
 * ```ts
 * const next: NextBatchItems = { identity: 'user:u1' as IdentityKey, items: await peekAfter(batch) }
 * ```
 */
export type NextBatchItems = { readonly identity: IdentityKey; readonly items: readonly StoredItem[] }

/**
 * Freezes a batch (R14): a new id around the oldest pending items of one identity. From here on it
 * is sent again as it is until it is delivered, split, dead-lettered or deleted.
 *
 * @example
 * ```ts
 * const frozen = freezeBatch(context, 'anon' as IdentityKey, items, nextBatchId())
 * ```
 */
export const freezeBatch = (context: SyncContext, identity: IdentityKey, items: readonly StoredItem[], batchId: BatchId): SyncContext => {
  const batch: FrozenBatch = { batchId, identity, items }
  return { ...context, outbox: [...context.outbox, batch] }
}

/**
 * The plan of a decision, using the next batch the send actor read (`context.nextBatch`): when the
 * plan is to form a batch of that identity (not a logged-out user's, R11), that batch is frozen at
 * once and the plan becomes sending it; the forming step, its actor and its storage read are
 * skipped. The items are those a forming step would read now: the oldest pending ones, less the
 * batch just delivered. Otherwise the plan stands. The read items are used once either way.
 *
 * @example
 * ```ts
 * const { context: next, plan } = planWithNextBatch(context, planNext(context, now, 'triggered'), now, nextBatchId)
 * ```
 */
export const planWithNextBatch = (context: SyncContext, plan: SyncPlan, now: number, nextBatchId: () => BatchId): { context: SyncContext; plan: SyncPlan } => {
  const next = context.nextBatch
  if (next === undefined || next === null) return { context, plan }
  const cleared: SyncContext = { ...context, nextBatch: null }
  if (plan.kind !== 'form' || plan.logout || plan.identity !== next.identity || next.items.length === 0) return { context: cleared, plan }
  const frozen = freezeBatch(cleared, next.identity, next.items, nextBatchId())
  // The frozen batch is now the first one this identity serves: the plan sends it.
  return { context: frozen, plan: planNext(frozen, now, 'triggered') }
}

/**
 * While a batch is in flight, freezes the same identity's next full batch (R14) so that its commit
 * overlaps the request and it can leave as soon as the answer arrives. Only for a batch that is
 * not a logged-out user's flush (R11), and only while the batch in flight is that identity's only
 * frozen one: the read left out exactly that batch's items, so the new one repeats none.
 *
 * @example
 * ```ts
 * const next = freezeAhead(context, { identity, items }, nextBatchId)
 * ```
 */
export const freezeAhead = (context: SyncContext, read: NextBatchItems, nextBatchId: () => BatchId): SyncContext => {
  const plan = context.plan
  if (plan.kind !== 'send' || plan.logout || plan.batch.identity !== read.identity || read.items.length === 0) return context
  if (context.outbox.some((batch) => batch.identity === read.identity && batch.batchId !== plan.batch.batchId)) return context
  return freezeBatch(context, read.identity, read.items, nextBatchId())
}
