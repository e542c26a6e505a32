// Tests that pin the in-memory storage driver exactly as the storage port describes it (R13 queue
// order and limits, R11 deletion counts and state deletion, R10 dead letters, a closed handle),
// and the tracking hot path (R13 one count per tick, the session's activity time, how each item is
// stamped, items tracked before the restore). Each kills mutants the SDK-level tests let live
// (mutation/README.md).
import type { Actor } from 'xstate'
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../src/drivers/memoryStorage.js'
import type { DeadLetter, StoredItem } from '../src/model/item.js'
import type { IdentityKey } from '../src/model/identity.js'
import type { StorageNamespace } from '../src/ports/storage.js'
import type { Persister } from '../src/runtime/persister.js'
import type { SyncEvent } from '../src/sync/events.js'
import type { SyncMachine } from '../src/sync/machine.js'
import { createTracking } from '../src/sdk/tracking.js'
import { START, expectLeft, expectRight } from './harness.js'

const ANON = 'anon' as IdentityKey
const U1 = 'user:u1' as IdentityKey
const item = (id: string, identity: IdentityKey = ANON): StoredItem =>
  ({ id, identity, type: 'event', name: 'e', attributes: {}, timestamp: 1, sessionId: 's' }) as unknown as StoredItem
const letter = (id: string): DeadLetter => ({ item: item(id), status: 400, reason: 'no', at: 1 })

const openNamespace = async (storage = createMemoryStorage(), name = 'app'): Promise<StorageNamespace> => expectRight(await storage.open(name)())
const ids = (items: readonly StoredItem[]): string[] => items.map((stored) => stored.id)

describe('the in-memory storage driver (storage port)', () => {
  it('R13: peek returns the oldest `limit` pending items of the identity, no more, in tracking order', async () => {
    const ns = await openNamespace()
    expectRight(await ns.commit({ append: [item('a'), item('b'), item('u', U1), item('c')] })())
    expect(ids(expectRight(await ns.peek(ANON, 2)()))).toEqual(['a', 'b'])
    expect(ids(expectRight(await ns.peek(ANON, 1)()))).toEqual(['a'])
    expect(ids(expectRight(await ns.peek(ANON, 10)()))).toEqual(['a', 'b', 'c'])
    expect(ids(expectRight(await ns.peek(U1, 10)()))).toEqual(['u'])
  })

  it('R13: removing items from the middle, then the ones after them, leaves the rest readable in order', async () => {
    const ns = await openNamespace()
    expectRight(await ns.commit({ append: [item('a'), item('b'), item('c'), item('d')] })())
    expectRight(await ns.commit({ remove: ['b' as StoredItem['id']] })())
    // The hole left by `b` lies after the head: the next removal scans over it.
    expectRight(await ns.commit({ remove: ['c' as StoredItem['id'], 'unknown' as StoredItem['id']] })())
    expect(ids(expectRight(await ns.peek(ANON, 10)()))).toEqual(['a', 'd'])
    expect(ids(expectRight(await ns.peek(ANON, 1)()))).toEqual(['a'])
    expect(expectRight(await ns.load()()).pendingByIdentity).toEqual({ anon: 2 })
  })

  it('R11: a commit reports how many pending items each removed identity had (0 for one with none), and nothing when it removes no identity', async () => {
    const ns = await openNamespace()
    expect(expectRight(await ns.commit({ append: [item('u1', U1), item('u2', U1), item('u3', U1), item('a')] })())).toEqual({ removedByIdentity: {} })
    expectRight(await ns.commit({ remove: ['u1' as StoredItem['id']] })())
    const result = expectRight(await ns.commit({ removeIdentities: [U1, 'user:never' as IdentityKey] })())
    expect(result).toEqual({ removedByIdentity: { 'user:u1': 2, 'user:never': 0 } })
    expect(expectRight(await ns.peek(U1, 10)())).toEqual([])
    expect(expectRight(await ns.load()()).pendingByIdentity).toEqual({ anon: 1 })
  })

  it('R11: a state value of null deletes the key; other keys stay', async () => {
    const ns = await openNamespace()
    expectRight(await ns.commit({ state: { tokens: { u1: 'secret' }, session: { id: 's1' } } })())
    expect(expectRight(await ns.load()()).state).toEqual({ tokens: { u1: 'secret' }, session: { id: 's1' } })
    expectRight(await ns.commit({ state: { tokens: null } })())
    const state = expectRight(await ns.load()()).state
    expect(state).toEqual({ session: { id: 's1' } })
    expect('tokens' in state).toBe(false)
  })

  it('R13 R19: a load counts only identities that still have pending items', async () => {
    const ns = await openNamespace()
    expectRight(await ns.commit({ append: [item('a'), item('u', U1)] })())
    expectRight(await ns.commit({ remove: ['a' as StoredItem['id']] })())
    expect(expectRight(await ns.load()())).toEqual({ pendingByIdentity: { 'user:u1': 1 }, deadLetterCount: 0, state: {}, skippedRecords: 0 })
  })

  it('R10: readDeadLetters honours its limit, oldest first', async () => {
    const ns = await openNamespace()
    expectRight(await ns.commit({ deadLetters: [letter('x'), letter('y'), letter('z')] })())
    expect(expectRight(await ns.readDeadLetters(2)()).map((dead) => dead.item.id)).toEqual(['x', 'y'])
    expect(expectRight(await ns.readDeadLetters(10)()).map((dead) => dead.item.id)).toEqual(['x', 'y', 'z'])
    expect(expectRight(await ns.load()()).deadLetterCount).toBe(3)
  })

  it('R13: a closed handle refuses every operation with a `closed` failure; a new open (a relaunch) sees the same data', async () => {
    const storage = createMemoryStorage()
    const ns = await openNamespace(storage)
    expectRight(await ns.commit({ append: [item('a')], deadLetters: [letter('x')] })())
    await ns.close()
    expect(expectLeft(await ns.load()()).kind).toBe('closed')
    expect(expectLeft(await ns.peek(ANON, 10)()).kind).toBe('closed')
    expect(expectLeft(await ns.commit({ append: [item('b')] })()).kind).toBe('closed')
    expect(expectLeft(await ns.readDeadLetters(10)()).kind).toBe('closed')
    const again = await openNamespace(storage)
    expect(ids(expectRight(await again.peek(ANON, 10)()))).toEqual(['a'])
    expect(expectRight(await again.load()()).deadLetterCount).toBe(1)
    const other = await openNamespace(storage, 'other-app')
    expect(expectRight(await other.load()()).pendingByIdentity).toEqual({})
  })
})

// The tracking hot path against a stand-in statechart: it records the events it receives and
// answers with a context the test sets (plan, session, identifier).
const MINUTE = 60_000
const TIMEOUT = 30 * MINUTE
const fakeChart = (start: { lastActivityAt: number; identifier?: string | null }) => {
  const sent: SyncEvent[] = []
  const context = {
    identifier: start.identifier ?? null,
    session: { id: 's1', startedAt: start.lastActivityAt, lastActivityAt: start.lastActivityAt, consecutiveAuthFailures: 0 },
    plan: { kind: 'rest' as string },
  }
  const actor = {
    getSnapshot: () => ({ context }),
    send: (event: SyncEvent) => {
      sent.push(event)
      if (event.type === 'ACTIVITY') context.session = { ...context.session, id: `s${sent.length + 1}`, lastActivityAt: event.at }
    },
  } as unknown as Actor<SyncMachine>
  return { actor, sent, context }
}
const setup = (start: { lastActivityAt: number; identifier?: string | null; ready?: boolean }) => {
  const chart = fakeChart(start)
  const appended: StoredItem[] = []
  const persister = { appendItem: (stored: StoredItem) => appended.push(stored) } as unknown as Persister
  const queued: (() => void)[] = []
  let ready = start.ready ?? true
  const tracking = createTracking({
    actor: chart.actor,
    persister,
    inactivityTimeoutMs: TIMEOUT,
    run: (command) => (ready ? command() : queued.push(command)),
    isReady: () => ready,
  })
  const release = (): void => {
    for (const command of queued.splice(0)) command()
    ready = true
  }
  return { ...chart, appended, tracking, release }
}
const event = (name: string) => ({ type: 'event' as const, name, attributes: { n: name } })
const tick = (): Promise<void> => Promise.resolve().then(() => undefined)
const trackedEvents = (sent: SyncEvent[]) => sent.filter((sentEvent) => sentEvent.type === 'ITEMS_TRACKED')

describe('tracking: stamping and counting items (R13)', () => {
  it('R13: the tracks of one tick reach the chart as one ITEMS_TRACKED, counted per identity, with the latest activity time', async () => {
    const { tracking, sent, context } = setup({ lastActivityAt: START })
    tracking.track(event('a'), 'i1' as StoredItem['id'], START + 2_000)
    tracking.track(event('b'), 'i2' as StoredItem['id'], START + 1_000)
    context.identifier = 'u1'
    tracking.track(event('c'), 'i3' as StoredItem['id'], START + 1_500)
    expect(sent).toEqual([])
    expect(tracking.uncounted()).toEqual({ byIdentity: { anon: 2, 'user:u1': 1 }, unstamped: 0 })
    await tick()
    expect(sent).toEqual([{ type: 'ITEMS_TRACKED', counts: { anon: 2, 'user:u1': 1 }, lastActivityAt: START + 2_000 }])
    expect(tracking.uncounted()).toEqual({ byIdentity: {}, unstamped: 0 })
    // The next tick is a new group.
    tracking.track(event('d'), 'i4' as StoredItem['id'], START + 3_000)
    await tick()
    expect(trackedEvents(sent)).toEqual([
      { type: 'ITEMS_TRACKED', counts: { anon: 2, 'user:u1': 1 }, lastActivityAt: START + 2_000 },
      { type: 'ITEMS_TRACKED', counts: { 'user:u1': 1 }, lastActivityAt: START + 3_000 },
    ])
  })

  it('R13: with nothing tracked there is nothing to count: a command goes alone and takeTracked has nothing', () => {
    const { tracking, sent } = setup({ lastActivityAt: START })
    expect(tracking.takeTracked()).toBeUndefined()
    tracking.send({ type: 'FLUSH' })
    expect(sent).toEqual([{ type: 'FLUSH' }])
  })

  it('R13: while the loop is busy a tick leaves its count for the loop; a later tick, once it rests, is counted again', async () => {
    const { tracking, sent, context } = setup({ lastActivityAt: START })
    context.plan.kind = 'send'
    tracking.track(event('a'), 'i1' as StoredItem['id'], START + 1_000)
    await tick()
    expect(sent).toEqual([])
    // The busy step's result event takes them (ioActors' `takeTracked`).
    expect(tracking.takeTracked()).toEqual({ counts: { anon: 1 }, lastActivityAt: START + 1_000 })
    context.plan.kind = 'rest'
    tracking.track(event('b'), 'i2' as StoredItem['id'], START + 2_000)
    await tick()
    expect(sent).toEqual([{ type: 'ITEMS_TRACKED', counts: { anon: 1 }, lastActivityAt: START + 2_000 }])
  })

  it('R13 (Terms, session): activity within the timeout keeps the session; the timeout since the latest activity, tracked or counted, opens a new one', async () => {
    const { tracking, sent, context, appended } = setup({ lastActivityAt: START })
    tracking.track(event('a'), 'i1' as StoredItem['id'], START + 1_000)
    expect(sent).toEqual([])
    // The chart has not heard of `a` yet, but its time counts as activity.
    tracking.track(event('b'), 'i2' as StoredItem['id'], START + 1_000 + TIMEOUT - 1)
    expect(sent).toEqual([])
    expect(appended.map((stored) => stored.sessionId)).toEqual(['s1', 's1'])
    tracking.track(event('c'), 'i3' as StoredItem['id'], START + 1_000 + 2 * TIMEOUT)
    expect(sent).toEqual([
      { type: 'ITEMS_TRACKED', counts: { anon: 2 }, lastActivityAt: START + 1_000 + TIMEOUT - 1 },
      { type: 'ACTIVITY', at: START + 1_000 + 2 * TIMEOUT },
    ])
    expect(appended.map((stored) => stored.sessionId)).toEqual(['s1', 's1', context.session.id])
    expect(context.session.id).not.toBe('s1')
  })

  it('R3 R4: each item is stamped with its own type, the identity and session current when tracked, its time and id', () => {
    const { tracking, appended, context } = setup({ lastActivityAt: START })
    tracking.track(event('Opened'), 'i1' as StoredItem['id'], START + 1_000)
    tracking.track({ type: 'user_attribute', name: 'plan', value: { tier: 'pro' } }, 'i2' as StoredItem['id'], START + 2_000)
    context.identifier = 'u1'
    tracking.track({ type: 'user_attribute', name: 'seats', value: 5 }, 'i3' as StoredItem['id'], START + 3_000)
    tracking.track(event('Paid'), 'i4' as StoredItem['id'], START + 4_000)
    expect(appended).toEqual([
      { id: 'i1', identity: 'anon', timestamp: START + 1_000, sessionId: 's1', type: 'event', name: 'Opened', attributes: { n: 'Opened' } },
      { id: 'i2', identity: 'anon', timestamp: START + 2_000, sessionId: 's1', type: 'user_attribute', name: 'plan', value: { tier: 'pro' } },
      { id: 'i3', identity: 'user:u1', timestamp: START + 3_000, sessionId: 's1', type: 'user_attribute', name: 'seats', value: 5 },
      { id: 'i4', identity: 'user:u1', timestamp: START + 4_000, sessionId: 's1', type: 'event', name: 'Paid', attributes: { n: 'Paid' } },
    ])
    expect(appended.map((stored) => Object.keys(stored).sort())).toEqual([
      ['attributes', 'id', 'identity', 'name', 'sessionId', 'timestamp', 'type'],
      ['id', 'identity', 'name', 'sessionId', 'timestamp', 'type', 'value'],
      ['id', 'identity', 'name', 'sessionId', 'timestamp', 'type', 'value'],
      ['attributes', 'id', 'identity', 'name', 'sessionId', 'timestamp', 'type'],
    ])
  })

  it('R19: items tracked before the restore count as unstamped until it finishes, then as stamped, each once', async () => {
    const { tracking, appended, sent, release } = setup({ lastActivityAt: START, ready: false })
    tracking.track(event('a'), 'i1' as StoredItem['id'], START + 1_000)
    tracking.track(event('b'), 'i2' as StoredItem['id'], START + 2_000)
    expect(appended).toEqual([])
    expect(tracking.uncounted()).toEqual({ byIdentity: {}, unstamped: 2 })
    release()
    expect(ids(appended)).toEqual(['i1', 'i2'])
    expect(appended.map((stored) => stored.timestamp)).toEqual([START + 1_000, START + 2_000])
    expect(tracking.uncounted()).toEqual({ byIdentity: { anon: 2 }, unstamped: 0 })
    await tick()
    expect(sent).toEqual([{ type: 'ITEMS_TRACKED', counts: { anon: 2 }, lastActivityAt: START + 2_000 }])
    expect(tracking.uncounted()).toEqual({ byIdentity: {}, unstamped: 0 })
  })
})
