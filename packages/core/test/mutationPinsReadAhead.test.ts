// Pins the read-ahead (the next batch read while one is in flight, src/sync/nextBatch.ts and the
// send actor in src/runtime/ioActors.ts): a read for one identity never becomes a batch of
// another (R3, R4), no item is frozen into two batches nor lost (R14), and the read replaces the
// storage read of a forming step: the storage reads are counted (a `peek` of the namespace).
import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import type { BatchId, IdentityKey, SessionId, StoredItem, ItemId, Storage } from '@jwt-sync/core'
import type { FrozenBatch, MachineSettings, SyncContext } from '../src/sync/context.js'
import { freezeAhead } from '../src/sync/nextBatch.js'
import { NOTHING_TO_SEND, type SyncPlan } from '../src/sync/plan.js'
import { newSession } from '../src/sync/session.js'
import { expectRight, settle, startHarness, storageWith, validToken } from './harness.js'

const NOW = Date.UTC(2026, 10, 28, 9)
const K1 = 'user:u1' as IdentityKey
const K2 = 'user:u2' as IdentityKey
const ANON = 'anon' as IdentityKey

const settings: MachineSettings = {
  appId: 'pin-app',
  isJwtEnabled: true,
  maxConsecutiveAuthFailures: 10,
  inactivityTimeoutMs: 30 * 60_000,
  periodicFlushMs: 60_000,
  maxBatchSize: 2,
  clockSkewMs: 60_000,
  clientValidation: true,
  allowedAlgorithms: ['RS256'],
  backoff: { baseMs: 2_000, factor: 2, capMs: 300_000 },
}

const contextWith = (overrides: Partial<SyncContext> = {}): SyncContext => ({
  settings,
  identifier: null,
  session: newSession('s1' as SessionId, NOW),
  tokens: {},
  refusedTokens: {},
  waits: {},
  nextWaitId: 1,
  pendingByIdentity: {},
  deadLetterCount: 0,
  outbox: [],
  loggingOut: [],
  owedDeletions: [],
  retry: { consecutiveTransientFailures: 0, backoffUntil: null, retryAfterUntil: null, storageFailing: false },
  foreground: true,
  flushRequests: { requested: 0, completed: 0 },
  totals: { delivered: 0, deadLettered: 0, deleted: 0 },
  plan: NOTHING_TO_SEND,
  ...overrides,
})

const item = (id: string, identity: IdentityKey): StoredItem =>
  ({ id: id as ItemId, identity, timestamp: NOW, sessionId: 's1' as SessionId, type: 'event', name: 'e', attributes: {} }) as StoredItem
const batch = (id: string, identity: IdentityKey, ids: readonly string[]): FrozenBatch => ({ batchId: id as BatchId, identity, items: ids.map((i) => item(i, identity)) })
const sending = (inFlight: FrozenBatch, logout = false): SyncPlan => ({ kind: 'send', batch: inFlight, token: inFlight.identity === ANON ? null : 't', logout })
const aheadId = () => 'ahead' as BatchId

describe('freezeAhead: the next full batch, frozen while one is in flight', () => {
  const inFlight = batch('b1', K1, ['a1', 'a2'])
  const read = { identity: K1, items: [item('a3', K1), item('a4', K1)] }
  const base = contextWith({ outbox: [inFlight], pendingByIdentity: { [K1]: 4 }, plan: sending(inFlight) })

  it('R14: the read of the identity in flight, its only frozen batch, is frozen behind it with a new id', () => {
    expect(freezeAhead(base, read, aheadId)).toEqual({ ...base, outbox: [inFlight, { batchId: 'ahead', identity: K1, items: read.items }] })
  })

  it('R4: a read of another identity never joins the batch in flight nor becomes a batch', () => {
    const other = { identity: K2, items: [item('c1', K2), item('c2', K2)] }
    const context = { ...base, pendingByIdentity: { [K1]: 2, [K2]: 2 } }
    expect(freezeAhead(context, other, aheadId)).toBe(context)
    expect(freezeAhead(context, { identity: ANON, items: [item('n1', ANON), item('n2', ANON)] }, aheadId)).toBe(context)
  })

  it('R14: nothing is frozen when another batch of that identity is frozen already (its items would be frozen twice)', () => {
    // After a split (R10) the second half is frozen too; the read left out only the half in flight.
    const half = batch('b2', K1, ['a3'])
    const context = { ...base, outbox: [inFlight, half] }
    expect(freezeAhead(context, { identity: K1, items: [item('a3', K1), item('a4', K1)] }, aheadId)).toBe(context)
  })

  it('R14: a frozen batch of another identity does not hold the read back', () => {
    const others = batch('b9', K2, ['c1'])
    const context = { ...base, outbox: [others, inFlight], pendingByIdentity: { [K1]: 4, [K2]: 1 } }
    expect(freezeAhead(context, read, aheadId).outbox).toEqual([others, inFlight, { batchId: 'ahead', identity: K1, items: read.items }])
  })

  it('R14: an empty read freezes no (empty) batch', () => {
    expect(freezeAhead(base, { identity: K1, items: [] }, aheadId)).toBe(base)
  })

  it('R11: nothing is frozen ahead of a logged-out user\'s flush', () => {
    const context = { ...base, loggingOut: ['u1' as never], plan: sending(inFlight, true) }
    expect(freezeAhead(context, read, aheadId)).toBe(context)
  })

  it('R14: nothing is frozen when no batch is in flight (the plan is not a send)', () => {
    for (const plan of [{ kind: 'form', identity: K1, logout: false }, { kind: 'rest', reason: 'backoff' }, NOTHING_TO_SEND] as const) {
      const context = { ...base, plan }
      expect(freezeAhead(context, read, aheadId), JSON.stringify(plan)).toBe(context)
    }
  })
})

/** Memory storage counting `peek` reads; `failReads` makes the next reads fail. */
const countingStorage = () => {
  const counter = { peeks: 0, failReads: 0 }
  const storage: Storage = storageWith((namespace) => ({
    peek: (identity, limit) => () => {
      counter.peeks++
      if (counter.failReads > 0) {
        counter.failReads--
        return Promise.resolve(E.left({ kind: 'io' as const, message: 'scripted read failure' }))
      }
      return namespace.peek(identity, limit)()
    },
  }))
  return { counter, storage }
}

/** Resolves with the promise's value, or with 'stuck' when it has not settled once nothing is left to run. */
const within = async <A>(promise: Promise<A>): Promise<A | 'stuck'> => Promise.race([promise, settle().then(() => 'stuck' as const)])

describe('the send actor\'s read-ahead, through the SDK', () => {
  it('R14: a full read-ahead is used as read: 3 full batches cost the forming read, one read per request and one for the last, partial read', async () => {
    const { counter, storage } = countingStorage()
    const { sdk, server } = await startHarness({ jwt: false, config: { maxBatchSize: 10 }, storage })
    const before = counter.peeks
    for (let i = 0; i < 30; i++) sdk.track('e', { i })
    expect(expectRight(await sdk.flush())).toMatchObject({ delivered: 30, pending: 0 })
    expect(server.requests.map((request) => request.itemIds.length)).toEqual([10, 10, 10])
    expect(new Set(server.requests.flatMap((request) => request.itemIds)).size).toBe(30)
    // The forming read of the first batch, one read-ahead per request (a full one is frozen as
    // read, not read again) and one read again after the last, empty read-ahead: 1 + 3 + 1.
    expect(counter.peeks - before).toBe(5)
    await sdk.shutdown()
  })

  it('R9 R14: a batch that is not delivered is not followed by a second read: the read-ahead serves only a delivery', async () => {
    const { counter, storage } = countingStorage()
    const { sdk, server } = await startHarness({ jwt: false, config: { maxBatchSize: 10 }, storage })
    const before = counter.peeks
    for (let i = 0; i < 3; i++) sdk.track('e', { i })
    server.answer({ status: 503 })
    await within(sdk.flush())
    expect(server.requests.map((request) => request.response)).toEqual([503])
    // The forming read and the read-ahead (empty); the answer is not followed by another read.
    expect(counter.peeks - before).toBe(2)
    await within(sdk.shutdown())
  })

  it('R14: a partial read-ahead is read again after the answer, so items tracked during the request fill the next batch', async () => {
    const { sdk, server } = await startHarness({ jwt: false, config: { maxBatchSize: 10 } })
    for (let i = 0; i < 13; i++) sdk.track('e', { i })
    server.answer({ hold: true })
    const flushed = sdk.flush()
    await settle()
    expect(server.heldCount()).toBe(1)
    for (let i = 13; i < 18; i++) sdk.track('e', { i })
    await settle()
    server.release({ status: 200 })
    expect(expectRight(await flushed)).toMatchObject({ delivered: 18, pending: 0 })
    expect(server.requests.map((request) => request.itemIds.length)).toEqual([10, 8])
    expect(new Set(server.requests.flatMap((request) => request.itemIds)).size).toBe(18)
    await sdk.shutdown()
  })

  it('R14: when the read after a delivery fails, the items are formed from storage and sent, not lost', async () => {
    const { counter, storage } = countingStorage()
    const { sdk, server } = await startHarness({ jwt: false, config: { maxBatchSize: 10 }, storage })
    for (let i = 0; i < 3; i++) sdk.track('e', { i })
    server.answer({ hold: true })
    const flushed = sdk.flush()
    await settle()
    expect(server.heldCount()).toBe(1)
    sdk.track('e', { i: 3 })
    sdk.track('e', { i: 4 })
    await settle()
    counter.failReads = 1
    server.release({ status: 200 })
    await within(flushed)
    const again = await within(sdk.flush())
    expect(again).not.toBe('stuck')
    expect(server.requests.map((request) => request.itemIds.length)).toEqual([3, 2])
    expect(new Set(server.requests.flatMap((request) => request.itemIds)).size).toBe(5)
    await within(sdk.shutdown())
  })

  it('R11: a logged-out user\'s flush reads nothing ahead: its batches are formed, one read each', async () => {
    const { counter, storage } = countingStorage()
    const { sdk, server, clock } = await startHarness({ config: { maxBatchSize: 10 }, storage })
    const t1 = validToken('u1', clock.now())
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: t1 })
    for (let i = 0; i < 3; i++) sdk.track('e', { i })
    await sdk.whenPersisted()
    await settle()
    const before = counter.peeks
    expect(expectRight(await sdk.logout())).toMatchObject({ delivered: 3, deleted: 0, pending: 0 })
    expect(server.requests.map((request) => [request.identity, request.token, request.itemIds.length])).toEqual([['u1', t1, 3]])
    expect(counter.peeks - before).toBe(1)
    await sdk.shutdown()
  })

  it('R14: after a split (R10) the half not in flight is not frozen again by the read-ahead: each item in one batch', async () => {
    const { sdk, server } = await startHarness({ jwt: false, config: { maxBatchSize: 4 } })
    for (let i = 0; i < 12; i++) sdk.track('e', { i })
    server.answer({ status: 413 })
    await within(sdk.flush())
    await within(sdk.flush())
    const delivered = server.requests.filter((request) => request.response === 200)
    const ids = delivered.flatMap((request) => request.itemIds)
    expect(ids).toHaveLength(12)
    expect(new Set(ids).size).toBe(12)
    expect(server.requests.map((request) => [request.response, request.itemIds.length])).toEqual([[413, 4], [200, 2], [200, 2], [200, 4], [200, 4]])
    await within(sdk.shutdown())
  })
})
