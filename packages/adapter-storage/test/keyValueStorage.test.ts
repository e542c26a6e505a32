import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createMemoryStorage, type DeadLetter, type IdentityKey, type StorageNamespace, type StorageWrite, type StoredItem } from '@jwt-sync/core'
import { describeStorageConformance, sampleItem } from '@jwt-sync/conformance'
import { createKeyValueStorage } from '../src/keyValueStorage.js'
import { createMemoryKeyValueStore, type MemoryKeyValueStore } from './support/memoryKeyValueStore.js'

const fixture = (batch: boolean, compactionThresholdChars?: number) => {
  let store: MemoryKeyValueStore = createMemoryKeyValueStore({ batch })
  const options = compactionThresholdChars === undefined ? {} : { compactionThresholdChars }
  return {
    create: async () => {
      store = createMemoryKeyValueStore({ batch })
      return createKeyValueStorage({ store, ...options })
    },
    // A relaunch: a new storage object on the data the store kept.
    reopen: async () => createKeyValueStorage({ store: store.survivor(), ...options }),
    atRest: async () => [...store.data.values()].join('\n'),
  }
}

describeStorageConformance('key-value, in-memory store with batch calls (AsyncStorage v3 shape)', fixture(true))
describeStorageConformance('key-value, in-memory store with getItem/setItem/removeItem only (constant compaction)', fixture(false, 512))

const anon = 'anon' as IdentityKey
const alice = 'user:alice' as IdentityKey
const must = async <A>(task: () => Promise<E.Either<{ kind: string; message: string }, A>>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) throw new Error(`${result.left.kind}: ${result.left.message}`)
  return result.right
}
const open = async (store: MemoryKeyValueStore, compactionThresholdChars?: number): Promise<StorageNamespace> =>
  must(createKeyValueStorage({ store, ...(compactionThresholdChars === undefined ? {} : { compactionThresholdChars }) }).open('app'))

describe('key-value storage', () => {
  it('R13: a commit is one setItem of the size of the write, however many items are pending (the log is segmented across keys)', async () => {
    const store = createMemoryKeyValueStore({ batch: true })
    const ns = await open(store, 1 << 30)
    for (let round = 0; round < 10; round++) {
      const batch: StoredItem[] = []
      for (let n = 0; n < 500; n++) batch.push(sampleItem(anon, round * 500 + n, 'cost'))
      await must(ns.commit({ append: batch }))
    }
    const before = store.mutations.length
    await must(ns.commit({ append: [sampleItem(anon, 99_999, 'cost')] }))
    await must(ns.commit({ remove: [sampleItem(anon, 0, 'cost').id] }))
    const writes = store.mutations.slice(before)
    expect(writes.map((w) => w.op)).toEqual(['set', 'set'])
    expect(Math.max(...writes.map((w) => w.chars))).toBeLessThan(600)
    expect(new Set(writes.map((w) => w.key)).size).toBe(2)
    expect((await must(ns.load())).pendingByIdentity).toEqual({ anon: 5_000 })
    await ns.close()
  })

  it('R13: acknowledged records are compacted away: the store stays small when everything was delivered', async () => {
    const store = createMemoryKeyValueStore({ batch: false })
    const ns = await open(store, 2_048)
    for (let n = 0; n < 300; n++) {
      const item = sampleItem(anon, n, 'ack')
      await must(ns.commit({ append: [item] }))
      await must(ns.commit({ remove: [item.id] }))
    }
    await must(ns.commit({ append: [sampleItem(alice, 1, 'ack')] }))
    expect(store.data.size).toBeLessThan(40)
    await ns.close()
    const again = await open(store.survivor())
    expect(await must(again.peek(alice, 10))).toEqual([sampleItem(alice, 1, 'ack')])
    expect((await must(again.load())).pendingByIdentity).toEqual({ 'user:alice': 1 })
    await again.close()
  })

  it('R11: a state value that was overwritten or deleted is no longer at rest in the store, and the state reads back the same', async () => {
    const store = createMemoryKeyValueStore({ batch: true })
    const ns = await open(store, 1 << 30)
    const everything = (): string => [...store.data.values()].join('\n')
    await must(ns.commit({ append: [sampleItem(alice, 1, 'tok')], state: { tokens: { 'user:carol': 'eyJ.carol-first.sig' }, session: { id: 's1' } } }))
    await must(ns.commit({ append: [sampleItem(anon, 2, 'tok')], state: { tokens: { 'user:carol': 'eyJ.carol-second.sig' } } }))
    expect(everything()).toContain('eyJ.carol-second.sig') // the check below can fail
    expect(everything()).not.toContain('eyJ.carol-first.sig')
    await must(ns.commit({ state: { tokens: {}, gone: null } }))
    expect(everything()).not.toContain('carol-second')
    await ns.close()
    const again = await open(store.survivor())
    const snapshot = await must(again.load())
    expect(snapshot.state).toEqual({ tokens: {}, session: { id: 's1' } })
    expect(snapshot.pendingByIdentity).toEqual({ 'user:alice': 1, anon: 1 })
    await again.close()
  })

  it('R11: removeIdentities takes the deleted items out of the store at once, not at some later compaction', async () => {
    const store = createMemoryKeyValueStore({ batch: false })
    const ns = await open(store, 1 << 30)
    await must(ns.commit({ append: [sampleItem(alice, 1, 'gone'), sampleItem(anon, 2, 'gone'), sampleItem(alice, 3, 'gone')] }))
    await must(ns.commit({ append: [sampleItem(alice, 4, 'gone')] }))
    expect([...store.data.values()].join('\n')).toContain('user:alice')
    const result = await must(ns.commit({ removeIdentities: [alice] }))
    expect(result.removedByIdentity).toEqual({ 'user:alice': 3 })
    expect([...store.data.values()].join('\n')).not.toContain('user:alice')
    await ns.close()
    const again = await open(store.survivor())
    expect((await must(again.load())).pendingByIdentity).toEqual({ anon: 1 })
    await again.close()
  })

  it('a full store (QuotaExceededError) is a quota failure value; nothing stored before is lost', async () => {
    const store = createMemoryKeyValueStore({ batch: true })
    const ns = await open(store)
    const first = [sampleItem(anon, 1, 'quota'), sampleItem(anon, 2, 'quota')]
    await must(ns.commit({ append: first }))
    store.failWrites(Object.assign(new Error('database or disk is full'), { name: 'QuotaExceededError' }))
    const refused = await ns.commit({ append: [sampleItem(anon, 3, 'quota')] })()
    expect(E.isLeft(refused) && refused.left.kind).toBe('quota')
    store.failWrites(null)
    const later = sampleItem(anon, 4, 'quota')
    await must(ns.commit({ append: [later] }))
    await ns.close()
    const again = await open(store.survivor())
    expect(await must(again.peek(anon, 10))).toEqual([...first, later])
    await again.close()
  })

  it('a second open of an open namespace in the same runtime is locked; after close it opens', async () => {
    const store = createMemoryKeyValueStore()
    const storage = createKeyValueStorage({ store })
    const first = await must(storage.open('app'))
    const second = await storage.open('app')()
    expect(E.isLeft(second) && second.left.kind).toBe('locked')
    const other = await must(storage.open('other'))
    await first.close()
    await other.close()
    const third = await must(storage.open('app'))
    await third.close()
  })

  it('damaged and future-version records are skipped and counted, their neighbours kept; an unreadable head is corrupt', async () => {
    const store = createMemoryKeyValueStore()
    const ns = await open(store)
    const first = sampleItem(anon, 1, 'dmg')
    await must(ns.commit({ append: [first] }))
    await ns.close()
    store.data.set('jwt-sync:app:0:1', '{"v":1,"r":{"a":[{"id":')
    store.data.set('jwt-sync:app:0:2', JSON.stringify({ v: 2, r: { a: [sampleItem(anon, 2, 'dmg')] } }))
    const again = await open(store)
    const last = sampleItem(anon, 3, 'dmg')
    await must(again.commit({ append: [last] }))
    await again.close()
    const third = await open(store.survivor())
    expect(await must(third.peek(anon, 10))).toEqual([first, last])
    expect((await must(third.load())).skippedRecords).toBe(2)
    await third.close()
    store.data.set('jwt-sync:app:head', 'not a head')
    const broken = await createKeyValueStorage({ store }).open('app')()
    expect(E.isLeft(broken) && broken.left.kind).toBe('corrupt')
  })

  it('namespaces are escaped: an appId with ":" cannot reach into another namespace', async () => {
    const store = createMemoryKeyValueStore()
    const storage = createKeyValueStorage({ store })
    const a = await must(storage.open('a'))
    const b = await must(storage.open('a:0'))
    await must(a.commit({ append: [sampleItem(anon, 1, 'esc')] }))
    expect(await must(b.peek(anon, 10))).toEqual([])
    await a.close()
    await b.close()
  })
})

/** A workload of commits as an SDK makes them: appends, acknowledgements, dead letters, state, a logout deletion. */
const workload = (): StorageWrite[] => {
  const writes: StorageWrite[] = []
  let n = 0
  const next = (identity: IdentityKey): StoredItem => sampleItem(identity, n++, 'crash')
  const pending: StoredItem[] = []
  for (let round = 0; round < 12; round++) {
    const added = [next(anon), next(alice), next(anon)]
    pending.push(...added)
    writes.push({ append: added, state: { round, session: { id: `s-${round}` } } })
    if (round % 2 === 1) {
      const acked = pending.splice(0, 3)
      const letter: DeadLetter = { item: acked[2]!, status: 422, reason: 'invalid', at: 1_764_300_000_000 + round }
      writes.push({ remove: acked.map((item) => item.id), deadLetters: round % 4 === 3 ? [letter] : [], state: { round: null } })
    }
  }
  writes.push({ removeIdentities: [alice], state: { identity: 'anon' } })
  return writes
}

/** Everything a namespace shows, for comparison. */
const contentsOf = async (ns: StorageNamespace) => {
  const snapshot = await must(ns.load())
  return {
    anon: (await must(ns.peek(anon, 1000))).map((item) => item.id),
    alice: (await must(ns.peek(alice, 1000))).map((item) => item.id),
    pending: snapshot.pendingByIdentity,
    state: snapshot.state,
    dead: (await must(ns.readDeadLetters(1000))).map((letter) => letter.item.id),
    skipped: snapshot.skippedRecords,
  }
}

const expectedAfter = async (writes: readonly StorageWrite[]) => {
  const ns = await must(createMemoryStorage().open('model'))
  for (const write of writes) await must(ns.commit(write))
  return contentsOf(ns)
}

for (const batch of [true, false]) {
  it(`R13: a crash after any write of the store${batch ? ' (batch calls cut anywhere)' : ''} loses no committed item and repeats none, compactions included`, async () => {
    const writes = workload()
    // A tiny threshold: the workload compacts several times, so crashes land inside compactions too.
    const threshold = 700
    const full = createMemoryKeyValueStore({ batch })
    const ns = await open(full, threshold)
    for (const write of writes) await must(ns.commit(write))
    await ns.close()
    const total = full.mutations.length
    expect(full.mutations.filter((m) => m.key.endsWith(':head')).length).toBeGreaterThan(3) // compactions happened
    for (let crashAt = 0; crashAt <= total; crashAt++) {
      const store = createMemoryKeyValueStore({ batch })
      const live = await open(store, threshold)
      store.crashAfter(crashAt)
      let resolved = 0
      for (const write of writes) {
        const result = await live.commit(write)()
        if (E.isLeft(result) || store.crashed()) {
          if (E.isRight(result)) resolved++
          break
        }
        resolved++
      }
      const relaunched = await open(store.survivor(), threshold)
      const observed = await contentsOf(relaunched)
      await relaunched.close()
      // Every resolved commit is there; the one in flight is there whole or not at all.
      const withoutInFlight = await expectedAfter(writes.slice(0, resolved))
      const withInFlight = await expectedAfter(writes.slice(0, resolved + 1))
      const matches = [withoutInFlight, withInFlight].some((expected) => JSON.stringify(expected) === JSON.stringify(observed))
      if (!matches) expect({ crashAt, observed }).toEqual({ crashAt, observed: withoutInFlight })
    }
  })
}
