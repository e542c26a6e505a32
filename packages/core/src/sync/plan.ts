import { identifierOf, identityKeyOf, type IdentityKey } from '../model/identity.js'
import type { PendingReason } from '../model/pendingReason.js'
import { usableToken } from './authentication.js'
import type { FrozenBatch, OwedDeletion, SyncContext } from './context.js'
import { isSuspended } from './session.js'

/** Why the sync loop rests; each reason is a state of its own under `sync.rest`. */
export type RestReason = 'nothing-to-send' | PendingReason

/**
 * Whether this decision may start a request. Every trigger (R12: periodic flush, background, a
 * full batch, flush, logout, a new token, a retry timer, the first decision after restore) and
 * every step of a running sync may; newly tracked items alone may not: they only make the chart
 * re-read the data, so it never shows "nothing to send" while items wait for the next trigger.
 */
export type Urgency = 'triggered' | 'tracked-only'

/**
 * The next thing the sync loop does, decided once per visit of `deciding` and kept in the
 * context so the states after it (and their actors' inputs) act on the same decision.
 * `logout` marks a step of a logged-out user's flush (R11), which has states of its own.
 */
export type SyncPlan =
  | { readonly kind: 'send'; readonly batch: FrozenBatch; readonly token: string | null; readonly logout: boolean }
  | { readonly kind: 'form'; readonly identity: IdentityKey; readonly logout: boolean }
  | { readonly kind: 'delete'; readonly deletion: OwedDeletion }
  | { readonly kind: 'rest'; readonly reason: RestReason }

/** The plan before the first decision. */
export const NOTHING_TO_SEND: SyncPlan = { kind: 'rest', reason: 'nothing-to-send' }

/** An explicit flush or logout is waiting for its attempt: it does not wait for backoff (R12). */
export const hasExplicitRequest = (context: SyncContext): boolean =>
  context.flushRequests.completed < context.flushRequests.requested

/** The token a request for this identity carries: null for anonymous and with JWT disabled (R1, R2, R3). */
const credentialFor = (context: SyncContext, identity: IdentityKey): { ok: true; token: string | null } | { ok: false } => {
  const identifier = identifierOf(identity)
  if (identifier === null || !context.settings.isJwtEnabled) return { ok: true, token: null }
  const token = usableToken(context, identifier)
  return token === null ? { ok: false } : { ok: true, token }
}

/** Identities in the order they are served: users being logged out first (R11), then frozen batches, then the rest. */
const candidates = (context: SyncContext): IdentityKey[] => {
  const ordered: IdentityKey[] = []
  const add = (identity: IdentityKey): void => {
    if ((context.pendingByIdentity[identity] ?? 0) > 0 && !ordered.includes(identity)) ordered.push(identity)
  }
  for (const identifier of context.loggingOut) add(identityKeyOf(identifier))
  for (const batch of context.outbox) add(batch.identity)
  for (const identity of Object.keys(context.pendingByIdentity)) add(identity as IdentityKey)
  return ordered
}

/**
 * R11: the deletion owed first — one a send outcome decided, or a logged-out user with pending
 * items and no usable token to flush them with (TOKEN_NOT_AVAILABLE). Neither waits for R8.
 */
const owedDeletion = (context: SyncContext): OwedDeletion | null => {
  const [decided] = context.owedDeletions
  if (decided !== undefined) return decided
  if (!context.settings.isJwtEnabled) return null
  for (const identifier of context.loggingOut) {
    if ((context.pendingByIdentity[identityKeyOf(identifier)] ?? 0) === 0 || usableToken(context, identifier) !== null) continue
    return { identifier, source: 'client', code: 'TOKEN_NOT_AVAILABLE', message: 'no usable token for the logged-out user\'s pending items' }
  }
  return null
}

/**
 * Decides the next step of the sync loop from control data alone (R3, R5, R8, R9, R11, R12).
 * One request at a time: simple to reason about, and R8's bound can never be overshot.
 *
 * @example
 * ```ts
 * const plan = planNext(actor.getSnapshot().context, Date.now(), 'triggered')
 * if (plan.kind === 'rest') console.log('resting:', plan.reason)
 * ```
 */
export const planNext = (context: SyncContext, now: number, urgency: Urgency = 'triggered'): SyncPlan => {
  const deletion = owedDeletion(context)
  if (deletion !== null) return { kind: 'delete', deletion }
  const pending = candidates(context)
  if (pending.length === 0) return NOTHING_TO_SEND
  if (isSuspended(context)) return { kind: 'rest', reason: 'suspended' }
  const { retryAfterUntil, backoffUntil, storageFailing } = context.retry
  if (retryAfterUntil !== null && retryAfterUntil > now) return { kind: 'rest', reason: 'retry-after' }
  if (backoffUntil !== null && backoffUntil > now && !hasExplicitRequest(context)) {
    return { kind: 'rest', reason: storageFailing ? 'storage-unavailable' : 'backoff' }
  }
  for (const identity of pending) {
    const credential = credentialFor(context, identity)
    if (!credential.ok) continue
    if (urgency === 'tracked-only') return { kind: 'rest', reason: 'waiting-for-trigger' }
    const identifier = identifierOf(identity)
    const logout = identifier !== null && context.loggingOut.includes(identifier)
    const frozen = context.outbox.find((batch) => batch.identity === identity)
    return frozen !== undefined ? { kind: 'send', batch: frozen, token: credential.token, logout } : { kind: 'form', identity, logout }
  }
  return { kind: 'rest', reason: 'awaiting-token' }
}
