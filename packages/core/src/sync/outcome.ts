import { identifierOf } from '../model/identity.js'
import type { BatchId, DeadLetter, StoredItem } from '../model/item.js'
import type { SendOutcome } from '../wire/classifyResponse.js'
import { emitAuthError, rejectToken, rememberRefusal } from './authentication.js'
import { backoffDelayMs } from './backoff.js'
import { compressesRequests, compressionRefused } from './compression.js'
import type { FrozenBatch, SyncContext } from './context.js'
import type { SyncEmitted } from './events.js'
import type { Step } from './step.js'

export type OutcomeDeps = { readonly now: number; readonly random: () => number; readonly nextBatchId: () => BatchId }

const withoutBatch = (context: SyncContext, batchId: BatchId, replacements: readonly FrozenBatch[] = []): SyncContext => {
  const index = context.outbox.findIndex((batch) => batch.batchId === batchId)
  if (index < 0) return context
  return { ...context, outbox: [...context.outbox.slice(0, index), ...replacements, ...context.outbox.slice(index + 1)] }
}

const minusPending = (context: SyncContext, identity: string, count: number): SyncContext => ({
  ...context,
  pendingByIdentity: { ...context.pendingByIdentity, [identity]: Math.max(0, (context.pendingByIdentity[identity] ?? 0) - count) },
})

const responseArrived = (context: SyncContext): SyncContext => ({
  ...context,
  retry: { consecutiveTransientFailures: 0, backoffUntil: null, retryAfterUntil: context.retry.retryAfterUntil, storageFailing: false },
})

/** R10: items given up on go to the dead-letter store and are reported; never dropped silently. */
const deadLetter = (context: SyncContext, batch: FrozenBatch, items: readonly StoredItem[], status: number, reason: string, now: number): Step => {
  const letters: DeadLetter[] = items.map((item) => ({ item, status, reason, at: now }))
  return {
    context: {
      ...minusPending(context, batch.identity, items.length),
      deadLetterCount: context.deadLetterCount + items.length,
      totals: { ...context.totals, deadLettered: context.totals.deadLettered + items.length },
    },
    emits: [
      { type: 'persist', write: { deadLetters: letters, remove: items.map((item) => item.id) } },
      { type: 'problem', problem: { type: 'DEAD_LETTER', itemIds: items.map((item) => item.id), status, reason } },
    ],
  }
}

/** R10: a permanent rejection isolates the culprits: named items are dead-lettered, otherwise the batch is halved. */
const permanentRejection = (
  context: SyncContext,
  batch: FrozenBatch,
  status: number,
  itemIds: readonly string[] | null,
  reason: string,
  deps: OutcomeDeps,
): Step => {
  const named = itemIds === null ? [] : batch.items.filter((item) => itemIds.includes(item.id))
  if (named.length > 0) {
    const rest = batch.items.filter((item) => !itemIds?.includes(item.id))
    const replacements = rest.length > 0 ? [{ batchId: deps.nextBatchId(), identity: batch.identity, items: rest }] : []
    return deadLetter(withoutBatch(context, batch.batchId, replacements), batch, named, status, reason, deps.now)
  }
  if (batch.items.length > 1) {
    const middle = Math.ceil(batch.items.length / 2)
    const halves: FrozenBatch[] = [
      { batchId: deps.nextBatchId(), identity: batch.identity, items: batch.items.slice(0, middle) },
      { batchId: deps.nextBatchId(), identity: batch.identity, items: batch.items.slice(middle) },
    ]
    return {
      context: withoutBatch(context, batch.batchId, halves),
      emits: [{ type: 'log', level: 'info', message: 'split a rejected batch', fields: { status, size: batch.items.length } }],
    }
  }
  return deadLetter(withoutBatch(context, batch.batchId), batch, batch.items, status, reason, deps.now)
}

/**
 * R9: transient failure, of the network or of storage that could not be read (`storage`). The
 * batch stays frozen; the next automatic attempt waits for backoff.
 */
export const transientFailure = (
  context: SyncContext,
  reason: string,
  retryAfterMs: number | null,
  deps: OutcomeDeps,
  cause: 'network' | 'storage' = 'network',
): Step => {
  const failures = context.retry.consecutiveTransientFailures + 1
  const retryAfterUntil = retryAfterMs === null ? null : deps.now + retryAfterMs
  const backoffUntil = Math.max(deps.now + backoffDelayMs(failures, context.settings.backoff, deps.random), retryAfterUntil ?? 0)
  return {
    context: {
      ...context,
      retry: { consecutiveTransientFailures: failures, backoffUntil, retryAfterUntil, storageFailing: cause === 'storage' },
      // A flush settles with this outcome; it never waits for the retry timer (R12).
      flushRequests: { ...context.flushRequests, completed: context.flushRequests.requested },
    },
    emits: [{ type: 'log', level: 'warn', message: 'transient failure, will retry', fields: { reason, retryInMs: backoffUntil - deps.now, failures } }],
  }
}

/**
 * Applies the result of one batch request (R7-R11, R14). The statechart calls this for every
 * `BATCH_SENT`; it is the one place that decides what each server answer means.
 */
export const applySendOutcome = (context: SyncContext, batch: FrozenBatch, token: string | null, outcome: SendOutcome, deps: OutcomeDeps): Step => {
  switch (outcome.kind) {
    case 'delivered': {
      const delivered = withoutBatch(minusPending(responseArrived(context), batch.identity, batch.items.length), batch.batchId)
      return {
        context: {
          ...delivered,
          session: { ...delivered.session, consecutiveAuthFailures: 0 },
          totals: { ...delivered.totals, delivered: delivered.totals.delivered + batch.items.length },
        },
        emits: [{ type: 'persist', write: { remove: batch.items.map((item) => item.id) } }],
      }
    }
    case 'auth-failed': {
      const failed = responseArrived(context)
      const counted: SyncContext = {
        ...failed,
        session: { ...failed.session, consecutiveAuthFailures: failed.session.consecutiveAuthFailures + 1 },
      }
      const log: SyncEmitted = {
        type: 'log',
        level: 'warn',
        message: 'server refused the token',
        fields: { code: outcome.code, consecutiveAuthFailures: counted.session.consecutiveAuthFailures },
      }
      const identifier = identifierOf(batch.identity)
      if (identifier !== null && token !== null) {
        if (counted.loggingOut.includes(identifier)) {
          // R11: the logout flush failed with a JWT error; `logoutFlush.deleting` carries the deletion out.
          const owed = { identifier, source: 'server' as const, code: outcome.code, message: outcome.message, token }
          const refused = rememberRefusal(counted, identifier, token, outcome.code)
          return { context: { ...refused, owedDeletions: [...refused.owedDeletions, owed] }, emits: [log] }
        }
        const step = rejectToken(counted, identifier, token, outcome.code, outcome.message)
        return { context: step.context, emits: [log, ...step.emits] }
      }
      // No token to replace (anonymous batch, or JWT disabled): retry on the clock, bounded by R8.
      const retried = transientFailure(counted, `401 ${outcome.code}`, null, deps)
      return {
        context: retried.context,
        emits: [log, emitAuthError(counted, 'server', outcome.code, { identifier: identifier ?? '', message: outcome.message }), ...retried.emits],
      }
    }
    case 'transient':
      return transientFailure(context, outcome.reason, outcome.retryAfterMs, deps)
    case 'too-large':
      return permanentRejection(responseArrived(context), batch, 413, null, 'batch too large', deps)
    case 'rejected':
      if (outcome.status === 415 && compressesRequests(context)) return compressionRefused(responseArrived(context), batch)
      return permanentRejection(responseArrived(context), batch, outcome.status, outcome.itemIds, outcome.message, deps)
  }
}
