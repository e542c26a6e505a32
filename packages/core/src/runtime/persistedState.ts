import * as E from '../model/either.js'
import * as t from 'io-ts'
import { JWT_ERROR_CODES } from '../jwt/errorCodes.js'
import { hash64 } from '../jwt/hash.js'
import type { Identifier, IdentityKey } from '../model/identity.js'
import type { BatchId, StoredItem } from '../model/item.js'
import type { StateValue, StorageNamespace, StorageSnapshot } from '../ports/storage.js'
import type { FrozenBatch, SyncContext } from '../sync/context.js'
import type { RestoredState } from '../sync/events.js'

/** Version of the key-value records below; a record of another version is ignored and reported. */
export const STATE_FORMAT_VERSION = 1

const TokenStatusCodec = t.union([t.literal('usable'), t.literal('rejected'), t.literal('invalid'), t.literal('expired')])
const TokenRecordCodec = t.intersection([
  t.type({ token: t.string, status: TokenStatusCodec, expiresAt: t.union([t.number, t.null]) }),
  t.partial({ errorCode: t.keyof(JWT_ERROR_CODES) }),
])

/** The persisted control state: one key each, so a change rewrites only its own small record. */
const codecs = {
  identity: t.union([t.string, t.null]),
  session: t.type({ id: t.string, startedAt: t.number, lastActivityAt: t.number, consecutiveAuthFailures: t.number }),
  tokens: t.record(t.string, TokenRecordCodec),
  // Digests only (R11). Records written before digests held the full token: read them as digests.
  refusedTokens: t.record(
    t.string,
    t.array(t.union([t.type({ digest: t.string, code: t.keyof(JWT_ERROR_CODES) }), t.type({ token: t.string, code: t.keyof(JWT_ERROR_CODES) })])),
  ),
  // Frozen batches are kept as ids: their items are the oldest pending items of their identity,
  // already in the queue, so writing them again would double the bytes of every send.
  outbox: t.array(t.type({ batchId: t.string, identity: t.string, itemIds: t.array(t.string) })),
  loggingOut: t.array(t.string),
  // R9: the server's Retry-After deadline, so a relaunch inside the window waits too.
  retryAfterUntil: t.union([t.number, t.null]),
} as const

type Key = keyof typeof codecs

const envelope = (value: unknown): StateValue => ({ v: STATE_FORMAT_VERSION, value: value as StateValue })

/** A frozen batch as persisted: its id, identity and item ids. */
export type PersistedBatch = { readonly batchId: BatchId; readonly identity: IdentityKey; readonly itemIds: readonly string[] }

/** Frozen batches by reference, cached so an unchanged outbox is recognised (and not rewritten). */
const outboxRefs = new WeakMap<readonly FrozenBatch[], readonly PersistedBatch[]>()
const outboxRefsOf = (outbox: readonly FrozenBatch[]): readonly PersistedBatch[] => {
  let refs = outboxRefs.get(outbox)
  if (refs === undefined) {
    refs = outbox.map((batch) => ({ batchId: batch.batchId, identity: batch.identity, itemIds: batch.items.map((item) => item.id) }))
    outboxRefs.set(outbox, refs)
  }
  return refs
}

/** Picks the persisted part of the context. */
const persistedOf = (context: SyncContext): Record<Key, unknown> => ({
  identity: context.identifier,
  session: context.session,
  tokens: context.tokens,
  refusedTokens: context.refusedTokens,
  outbox: outboxRefsOf(context.outbox),
  loggingOut: context.loggingOut,
  retryAfterUntil: context.retry.retryAfterUntil,
})

/**
 * The state writes a new context needs: only the keys whose value changed (by reference, which
 * XState's immutable updates make exact).
 */
export const stateChanges = (previous: SyncContext | null, next: SyncContext): Record<string, StateValue> => {
  const before = previous === null ? null : persistedOf(previous)
  const after = persistedOf(next)
  const changes: Record<string, StateValue> = {}
  for (const key of Object.keys(after) as Key[]) {
    if (before === null || before[key] !== after[key]) changes[key] = envelope(after[key])
  }
  return changes
}

const refusedDigests = (records: t.TypeOf<(typeof codecs)['refusedTokens']>): RestoredState['refusedTokens'] =>
  Object.fromEntries(
    Object.entries(records).map(([identifier, refused]) => [
      identifier,
      refused.map((entry) => ('digest' in entry ? entry : { digest: hash64(entry.token), code: entry.code })),
    ]),
  )

/**
 * Decodes what storage holds into the statechart's restored state; bad records are counted, not
 * fatal. Frozen batches come back as ids: `rebuildOutbox` finds their items in the queue.
 */
export const decodeRestoredState = (
  snapshot: StorageSnapshot,
): { restored: Omit<RestoredState, 'outbox'>; outbox: readonly PersistedBatch[]; skipped: number } => {
  let skipped = snapshot.skippedRecords
  const read = <K extends Key>(key: K): t.TypeOf<(typeof codecs)[K]> | undefined => {
    const raw = snapshot.state[key]
    if (raw === undefined) return undefined
    const wrapped = t.type({ v: t.literal(STATE_FORMAT_VERSION), value: codecs[key] as t.Mixed }).decode(raw)
    if (E.isLeft(wrapped)) {
      skipped++
      return undefined
    }
    return wrapped.right.value as t.TypeOf<(typeof codecs)[K]>
  }
  const session = read('session')
  const retryAfterUntil = read('retryAfterUntil')
  const restored: Omit<RestoredState, 'outbox'> = {
    identifier: (read('identity') ?? null) as Identifier | null,
    session: session === undefined ? null : (session as RestoredState['session']),
    tokens: (read('tokens') ?? {}) as RestoredState['tokens'],
    refusedTokens: refusedDigests(read('refusedTokens') ?? {}),
    pendingByIdentity: snapshot.pendingByIdentity,
    deadLetterCount: snapshot.deadLetterCount,
    loggingOut: (read('loggingOut') ?? []) as Identifier[],
    ...(retryAfterUntil === undefined ? {} : { retryAfterUntil }),
  }
  return { restored, outbox: (read('outbox') ?? []) as unknown as readonly PersistedBatch[], skipped }
}

/**
 * Gives frozen batches their items back from the queue: a batch always holds the oldest pending
 * items of its identity. Items no longer pending (delivered, dead-lettered) are left out, and a
 * batch left empty is dropped.
 */
export const rebuildOutbox = async (namespace: StorageNamespace, refs: readonly PersistedBatch[]): Promise<FrozenBatch[]> => {
  const byIdentity = new Map<IdentityKey, number>()
  for (const ref of refs) byIdentity.set(ref.identity, (byIdentity.get(ref.identity) ?? 0) + ref.itemIds.length)
  const items = new Map<string, StoredItem>()
  for (const [identity, count] of byIdentity) {
    const peeked = await namespace.peek(identity, count)()
    if (E.isRight(peeked)) for (const item of peeked.right) items.set(item.id, item)
  }
  const rebuilt: FrozenBatch[] = []
  for (const ref of refs) {
    const found = ref.itemIds.flatMap((id) => {
      const item = items.get(id)
      return item === undefined ? [] : [item]
    })
    if (found.length > 0) rebuilt.push({ batchId: ref.batchId, identity: ref.identity, items: found })
  }
  return rebuilt
}
