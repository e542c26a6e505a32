import { identifierOf, type IdentityKey } from '../model/identity.js'
import type { PendingReason } from '../sdk/types.js'
import { usableToken } from './authentication.js'
import type { FrozenBatch, SyncContext } from './context.js'
import { isSuspended } from './session.js'

/** The next thing the sync loop does. */
export type SyncPlan =
  | { readonly kind: 'send'; readonly batch: FrozenBatch; readonly token: string | null }
  | { readonly kind: 'form'; readonly identity: IdentityKey }
  | { readonly kind: 'rest'; readonly backingOff: boolean; readonly waiting: readonly PendingReason[] }

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
  for (const identifier of context.loggingOut) add(`user:${identifier}` as IdentityKey)
  for (const batch of context.outbox) add(batch.identity)
  for (const identity of Object.keys(context.pendingByIdentity)) add(identity as IdentityKey)
  return ordered
}

/**
 * Decides the next step of the sync loop from control data alone (R3, R5, R8, R9, R11, R12).
 * One request at a time: simple to reason about, and R8's bound can never be overshot.
 */
export const planNext = (context: SyncContext, now: number): SyncPlan => {
  const pending = candidates(context)
  if (pending.length === 0) return { kind: 'rest', backingOff: false, waiting: [] }
  if (isSuspended(context)) return { kind: 'rest', backingOff: false, waiting: ['suspended'] }
  const { retryAfterUntil, backoffUntil } = context.retry
  if (retryAfterUntil !== null && retryAfterUntil > now) return { kind: 'rest', backingOff: true, waiting: ['retry-after'] }
  if (backoffUntil !== null && backoffUntil > now && !hasExplicitRequest(context)) {
    return { kind: 'rest', backingOff: true, waiting: ['backoff'] }
  }
  for (const identity of pending) {
    const credential = credentialFor(context, identity)
    if (!credential.ok) continue
    const frozen = context.outbox.find((batch) => batch.identity === identity)
    return frozen !== undefined ? { kind: 'send', batch: frozen, token: credential.token } : { kind: 'form', identity }
  }
  return { kind: 'rest', backingOff: false, waiting: ['awaiting-token'] }
}
