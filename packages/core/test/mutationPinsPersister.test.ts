// Pins of the persister's schedule (R13: grouped writes, one commit in flight, retried with
// growing delays, never dropped), of holding writes during a request (R14) and of the read that
// forms a batch before the previous acknowledgement is committed (R14, R11). The SDK-level tests
// reach all of it but see only that items arrive in the end; these say when and in what groups.
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../src/drivers/manualClock.js'
import type { IdentityKey } from '../src/model/identity.js'
import type { ItemId, StoredItem } from '../src/model/item.js'
import type { StorageFailure, StorageNamespace, StorageWrite } from '../src/ports/storage.js'
import { createPersister, MAX_HOLD_MS } from '../src/runtime/persister.js'

const item = (id: string, identity = 'anon'): StoredItem =>
  ({ id, identity, type: 'event', name: 'e', attributes: {}, timestamp: 1, sessionId: 's' }) as unknown as StoredItem
const anon = 'anon' as IdentityKey
const alice = 'user:alice' as IdentityKey

type Deferred = { readonly promise: Promise<unknown>; readonly resolve: (value: unknown) => void }
const deferred = (): Deferred => {
  let resolve: (value: unknown) => void = () => {}
  const promise = new Promise<unknown>((done) => (resolve = done))
  return { promise, resolve }
}
const committed = E.right({ removedByIdentity: {} })
const quota: StorageFailure = { kind: 'quota', message: 'disk full' }

/** Lets the persister's microtasks (its scheduled pump, a commit's answer) run. */
const ticks = async (count = 10): Promise<void> => {
  for (let i = 0; i < count; i++) await Promise.resolve()
}

/**
 * A persister over a recording namespace. `answer` decides each commit's result (the default
 * commits at once); `stored` is what the namespace's queue holds for a read.
 */
const setup = (options: { answer?: (write: StorageWrite, attempt: number) => Promise<unknown>; stored?: () => readonly StoredItem[]; open?: () => boolean } = {}) => {
  const clock = createManualClock(0)
  const commits: { write: StorageWrite; at: number }[] = []
  const reads: { identity: IdentityKey; limit: number; commitsBefore: number }[] = []
  const heard: unknown[] = []
  const namespace = {
    commit: (write: StorageWrite) => () => {
      commits.push({ write, at: clock.now() })
      return (options.answer?.(write, commits.length) ?? Promise.resolve(committed)) as never
    },
    peek: (identity: IdentityKey, limit: number) => () => {
      reads.push({ identity, limit, commitsBefore: commits.length })
      // Storage answers a few turns later, as a real read does: a commit in flight may land meanwhile.
      return ticks(3).then(() => E.right((options.stored?.() ?? []).filter((stored) => stored.identity === identity).slice(0, limit)))
    },
  } as unknown as StorageNamespace
  const persister = createPersister({
    namespace: () => (options.open?.() === false ? null : namespace),
    clock,
    onFailure: (failure) => heard.push(failure),
    onRecovered: () => heard.push('recovered'),
  })
  return { persister, clock, commits, reads, heard }
}
const idsOf = (read: E.Either<StorageFailure, readonly StoredItem[]>): string[] | StorageFailure => (E.isRight(read) ? read.right.map((stored) => stored.id) : read.left)

describe('R13: grouped writes, one commit in flight', () => {
  it('R13: writes made in one turn are one commit; writes made while it is in flight are the next one, whole', async () => {
    const first = deferred()
    const { persister, commits } = setup({ answer: (_write, attempt) => (attempt === 1 ? first.promise : Promise.resolve(committed)) })
    persister.appendItem(item('a1'))
    persister.setState('k', 1)
    await ticks()
    expect(commits.map(({ write }) => write)).toEqual([{ append: [item('a1')], state: { k: 1 } }])
    // In flight: the group being committed must not grow; these wait for the next commit.
    persister.appendItem(item('a2'))
    persister.enqueue({ remove: ['a1' as ItemId] })
    persister.setState('k', 2)
    await ticks()
    expect(commits).toHaveLength(1)
    let drained = false
    void persister.drained().then(() => (drained = true))
    first.resolve(committed)
    await ticks()
    expect(commits.map(({ write }) => write)).toEqual([
      { append: [item('a1')], state: { k: 1 } },
      { append: [item('a2')], remove: ['a1'], state: { k: 2 } },
    ])
    expect(drained).toBe(true)
  })

  it('R13: drained() waits for the writes made before it, not for a later commit', async () => {
    const second = deferred()
    const { persister, commits } = setup({ answer: (_write, attempt) => (attempt === 2 ? second.promise : Promise.resolve(committed)) })
    persister.setState('k', 1)
    const done: string[] = []
    void persister.drained().then(() => done.push('first'))
    await ticks()
    persister.setState('k', 2)
    void persister.drained().then(() => done.push('second'))
    await ticks()
    expect(commits).toHaveLength(2)
    expect(done).toEqual(['first'])
    second.resolve(committed)
    await ticks()
    expect(done).toEqual(['first', 'second'])
    // Nothing enqueued: drained() is already true.
    let idle = false
    void persister.drained().then(() => (idle = true))
    await ticks(2)
    expect(idle).toBe(true)
  })

  it('R13: a failed commit is kept and retried after 1 s, then 2, 4, 8, 16 s and at most 30 s; reported once; success starts over', async () => {
    let failuresLeft = 8
    const { persister, clock, commits, heard } = setup({ answer: () => Promise.resolve(failuresLeft-- > 0 ? E.left(quota) : committed) })
    persister.appendItem(item('a1'))
    await ticks()
    for (let i = 0; i < 8; i++) {
      const next = clock.nextTimerAt()
      expect(next).not.toBeNull()
      clock.advanceTo(next ?? 0)
      await ticks()
    }
    expect(commits.map(({ at }) => at)).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000, 61_000, 91_000, 121_000])
    // Every attempt carries the same kept write: nothing was dropped.
    expect(new Set(commits.map(({ write }) => JSON.stringify(write))).size).toBe(1)
    expect(heard).toEqual([quota, 'recovered'])
    expect(persister.failing()).toBe(false)
    // A new failure waits 1 s again, not 30.
    failuresLeft = 1
    persister.appendItem(item('a2'))
    await ticks()
    expect(persister.failing()).toBe(true)
    expect(clock.nextTimerAt()).toBe(clock.now() + 1_000)
    expect(heard).toEqual([quota, 'recovered', quota])
  })

  it('R13: nothing is committed while storage is not open; the writes wait and go once it is', async () => {
    let open = false
    const { persister, commits } = setup({ open: () => open })
    persister.appendItem(item('a1'))
    await ticks()
    expect(commits).toHaveLength(0)
    expect(await persister.peek(anon, 10)).toEqual(E.left({ kind: 'closed', message: 'storage is not open' }))
    open = true
    await persister.drained()
    expect(commits.map(({ write }) => write)).toEqual([{ append: [item('a1')] }])
  })

  it('R13: after stop() nothing more is committed, and no timer is left behind', async () => {
    const { persister, clock, commits } = setup({ answer: () => Promise.resolve(E.left(quota)) })
    persister.setState('k', 1)
    await ticks()
    expect(clock.pendingTimers()).toBe(1)
    persister.stop()
    expect(clock.pendingTimers()).toBe(0)
    persister.setState('k', 2)
    clock.advance(60_000)
    await ticks()
    expect(commits).toHaveLength(1)
    // A held write's timer goes too.
    const held = setup()
    held.persister.hold(true)
    held.persister.setState('k', 1)
    expect(held.clock.pendingTimers()).toBe(1)
    held.persister.stop()
    expect(held.clock.pendingTimers()).toBe(0)
  })

  it('R13: a commit that fails after stop() is not retried', async () => {
    const answer = deferred()
    const { persister, clock, commits, heard } = setup({ answer: () => answer.promise })
    persister.setState('k', 1)
    await ticks()
    persister.stop()
    answer.resolve(E.left(quota))
    await ticks()
    expect(heard).toEqual([quota])
    expect(clock.pendingTimers()).toBe(0)
    expect(commits).toHaveLength(1)
  })
})

describe('R14: writes held while a batch is formed or in flight', () => {
  it(`R14: held writes wait at most ${MAX_HOLD_MS} ms; releasing the hold commits them at once`, async () => {
    const { persister, clock, commits } = setup()
    persister.hold(true)
    persister.appendItem(item('a1'))
    await ticks()
    clock.advance(MAX_HOLD_MS - 1)
    await ticks()
    expect(commits).toHaveLength(0)
    clock.advance(1)
    await ticks()
    expect(commits.map(({ at }) => at)).toEqual([MAX_HOLD_MS])
    // The timer let go of the hold: later writes are not held.
    persister.appendItem(item('a2'))
    await ticks()
    expect(commits).toHaveLength(2)

    const released = setup()
    released.persister.hold(true)
    released.persister.appendItem(item('a1'))
    released.persister.hold(true)
    await ticks()
    expect(released.commits).toHaveLength(0)
    released.persister.hold(false)
    expect(released.clock.pendingTimers()).toBe(0)
    await ticks()
    expect(released.commits.map(({ at }) => at)).toEqual([0])
  })

  it('R14 R13: someone waiting in drained() is not kept waiting by the hold', async () => {
    const { persister, clock, commits } = setup()
    persister.hold(true)
    persister.appendItem(item('a1'))
    await ticks()
    expect(commits).toHaveLength(0)
    await persister.drained()
    expect(commits.map(({ at }) => at)).toEqual([0])
    expect(clock.now()).toBe(0)
  })

  it('R14: a commit scheduled before the hold waits with the held writes', async () => {
    const { persister, clock, commits } = setup()
    persister.appendItem(item('a1'))
    // The commit is scheduled for the next microtask; the loop gets busy before it runs.
    persister.hold(true)
    await ticks()
    expect(commits).toHaveLength(0)
    clock.advance(MAX_HOLD_MS)
    await ticks()
    expect(commits).toHaveLength(1)
  })
})

describe('R14 R11: the read that forms a batch', () => {
  it('R14: storage less enqueued removals and batches just sent, then enqueued appends of that identity, up to the limit', async () => {
    const stored = [item('s1'), item('s2'), item('s3'), item('s4')]
    const { persister, reads } = setup({ stored: () => stored })
    persister.hold(true)
    persister.enqueue({ remove: ['s1' as ItemId] }, true)
    persister.appendItem(item('q1'))
    persister.appendItem(item('qa', 'user:alice'))
    persister.appendItem(item('q2'))
    // s2 was just delivered: its acknowledgement is not enqueued yet.
    expect(idsOf(await persister.peek(anon, 3, [item('s2')]))).toEqual(['s3', 's4', 'q1'])
    // Storage is asked for as many more as may be left out, so the batch is still full.
    expect(reads.at(-1)).toMatchObject({ identity: anon, limit: 5 })
    expect(idsOf(await persister.peek(anon, 10))).toEqual(['s2', 's3', 's4', 'q1', 'q2'])
    expect(idsOf(await persister.peek(alice, 10))).toEqual(['qa'])
    expect(idsOf(await persister.peek(anon, 1))).toEqual(['s2'])
    expect(idsOf(await persister.peek(anon, 0))).toEqual([])
  })

  it('R11: a read of an identity whose deletion is enqueued waits until the deletion is committed', async () => {
    const { persister, reads } = setup()
    persister.hold(true)
    persister.enqueue({ removeIdentities: [alice] })
    persister.appendItem(item('b1'))
    await persister.peek(anon, 10)
    expect(reads.at(-1)?.commitsBefore).toBe(0)
    await persister.peek(alice, 10)
    expect(reads.at(-1)?.commitsBefore).toBeGreaterThanOrEqual(1)
  })

  it('R14: a group committed while storage is read shows in both places and is taken once', async () => {
    const stored: StoredItem[] = [item('s1')]
    const inFlight = deferred()
    const { persister } = setup({ stored: () => stored, answer: (write) => inFlight.promise.then(() => (stored.push(...(write.append ?? [])), committed)) })
    persister.appendItem(item('q1'))
    await ticks()
    // q1's commit is in flight; it lands before storage is read.
    inFlight.resolve(undefined)
    expect(idsOf(await persister.peek(anon, 10))).toEqual(['s1', 'q1'])
  })
})
