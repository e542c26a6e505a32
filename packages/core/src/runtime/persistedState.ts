import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { JWT_ERROR_CODES } from '../jwt/errorCodes.js'
import type { Identifier } from '../model/identity.js'
import { StoredItemCodec } from '../model/item.js'
import type { StateValue, StorageSnapshot } from '../ports/storage.js'
import type { SyncContext } from '../sync/context.js'
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
  refusedTokens: t.record(t.string, t.array(t.type({ token: t.string, code: t.keyof(JWT_ERROR_CODES) }))),
  outbox: t.array(t.type({ batchId: t.string, identity: t.string, items: t.array(StoredItemCodec) })),
  loggingOut: t.array(t.string),
} as const

type Key = keyof typeof codecs

const envelope = (value: unknown): StateValue => ({ v: STATE_FORMAT_VERSION, value: value as StateValue })

/** Picks the persisted part of the context. */
const persistedOf = (context: SyncContext): Record<Key, unknown> => ({
  identity: context.identifier,
  session: context.session,
  tokens: context.tokens,
  refusedTokens: context.refusedTokens,
  outbox: context.outbox,
  loggingOut: context.loggingOut,
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

/** Decodes what storage holds into the statechart's restored state; bad records are counted, not fatal. */
export const decodeRestoredState = (snapshot: StorageSnapshot): { restored: RestoredState; skipped: number } => {
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
  const restored: RestoredState = {
    identifier: (read('identity') ?? null) as Identifier | null,
    session: session === undefined ? null : (session as RestoredState['session']),
    tokens: (read('tokens') ?? {}) as RestoredState['tokens'],
    refusedTokens: (read('refusedTokens') ?? {}) as RestoredState['refusedTokens'],
    pendingByIdentity: snapshot.pendingByIdentity,
    deadLetterCount: snapshot.deadLetterCount,
    outbox: (read('outbox') ?? []) as unknown as RestoredState['outbox'],
    loggingOut: (read('loggingOut') ?? []) as Identifier[],
  }
  return { restored, skipped }
}
