import * as E from 'fp-ts/lib/Either.js'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type {
  DeadLetter,
  IdentityKey,
  ItemId,
  SessionId,
  StateValue,
  Storage,
  StorageFailure,
  StorageNamespace,
  StoredItem,
} from '@jwt-sync/core'

/**
 * How a scenario gets storages: `create` gives a storage on fresh, empty data; `reopen` gives a new
 * instance on the same data as `previous` (a relaunch). Without `reopen`, the same storage object
 * is opened again (right for the memory driver, whose data lives as long as the object).
 *
 * @example
 * ```ts
 * const fixture: StorageFixture = { create: async () => createFileStorage({ directory: await freshDir() }) }
 * ```
 */
export type StorageFixture = {
  readonly create: () => Promise<Storage>
  readonly reopen?: (previous: Storage) => Promise<Storage>
  readonly cleanup?: () => Promise<void>
  /**
   * Everything the driver keeps at rest for the storage `create` gave last, as text (file bytes,
   * database records, store values), so a scenario can check that erased data is gone from the
   * medium, not only from the answers (R11). Drivers that keep nothing at rest (memory) omit it.
   */
  readonly atRest?: () => Promise<string>
}

/**
 * What a scenario saw and what the port contract says it should have seen. Both are plain JSON,
 * so a scenario can run where the storage lives (a browser page, a JavaScriptCore context) and the
 * test runner compares them. `error` reports an unexpected failure value or exception.
 *
 * @example
 * ```ts
 * const outcome: ScenarioOutcome = { observed: { count: 2 }, expected: { count: 2 } }
 * ```
 */
export type ScenarioOutcome = { readonly observed: unknown; readonly expected: unknown } | { readonly error: string }

/**
 * One behaviour of the storage port, runnable without a test framework.
 *
 * @example
 * ```ts
 * const outcome = await runStorageScenario(storageScenarios[0]!, fixture)
 * ```
 */
export type StorageScenario = {
  readonly name: string
  readonly act: (fixture: StorageFixture) => Promise<{ readonly observed: unknown; readonly expected: unknown }>
}

/** Raised inside a scenario when a port call returns a failure it should not have. */
class UnexpectedFailure extends Error {}

const must = async <A>(what: string, task: TaskEither<StorageFailure, A>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) throw new UnexpectedFailure(`${what} failed: ${result.left.kind}: ${result.left.message}`)
  return result.right
}

const failureKindOf = async (task: TaskEither<StorageFailure, unknown>): Promise<string> => {
  const result = await task()
  return E.isLeft(result) ? result.left.kind : 'succeeded'
}

/** Distinct enough per scenario run that two runs sharing a medium (one browser origin) never meet. */
const runTag = (): string => Math.random().toString(36).slice(2, 10)

const ANON = 'anon' as IdentityKey
const userKey = (name: string): IdentityKey => `user:${name}` as IdentityKey

/**
 * A stored item with realistic content: nested attributes, unicode, numbers that must round-trip.
 *
 * @example
 * ```ts
 * const item = sampleItem('anon' as IdentityKey, 1)
 * ```
 */
export const sampleItem = (identity: IdentityKey, n: number, tag = 't'): StoredItem =>
  n % 5 === 4
    ? {
        id: `${tag}-${identity}-${n}` as ItemId,
        identity,
        type: 'user_attribute',
        name: `plan_${n}`,
        value: { tier: n % 2 === 0 ? 'pro' : 'free', seats: n, tags: ['ä', '✓', '🚀'], trial: null },
        timestamp: 1_764_300_000_000 + n,
        sessionId: 'ses_conformance' as SessionId,
      }
    : {
        id: `${tag}-${identity}-${n}` as ItemId,
        identity,
        type: 'event',
        name: `screen_view_${n}`,
        attributes: { screen: `home/${n}`, ratio: n / 7, premium: n % 2 === 0, nested: { depth: [1, [2, { three: 'é' }]] } },
        timestamp: 1_764_300_000_000 + n,
        sessionId: 'ses_conformance' as SessionId,
      }

const items = (identity: IdentityKey, from: number, to: number, tag: string): StoredItem[] => {
  const out: StoredItem[] = []
  for (let n = from; n < to; n++) out.push(sampleItem(identity, n, tag))
  return out
}

const ids = (list: readonly StoredItem[]): ItemId[] => list.map((item) => item.id)

const deadLetter = (item: StoredItem, n: number): DeadLetter => ({ item, status: 400 + (n % 20), reason: `rejected #${n}`, at: 1_764_300_100_000 + n })

const reopenOf = (fixture: StorageFixture, previous: Storage): Promise<Storage> =>
  fixture.reopen === undefined ? Promise.resolve(previous) : fixture.reopen(previous)

/** Opens a namespace on fresh data and closes it (and the fixture) whatever happens. */
const withNamespace = async <A>(
  fixture: StorageFixture,
  body: (namespace: StorageNamespace, storage: Storage, appId: string) => Promise<A>,
): Promise<A> => {
  const storage = await fixture.create()
  const appId = `app-${runTag()}`
  const namespace = await must('open', storage.open(appId))
  try {
    return await body(namespace, storage, appId)
  } finally {
    await namespace.close()
  }
}

/**
 * The scenarios every storage driver must pass (unjs/unstorage-style shared suite). Names carry
 * the rule they prove.
 *
 * @example
 * ```ts
 * for (const scenario of storageScenarios) console.log(scenario.name)
 * ```
 */
export const storageScenarios: readonly StorageScenario[] = [
  {
    name: 'R13: peek returns the oldest pending items of an identity in append order, up to the limit',
    act: (fixture) =>
      withNamespace(fixture, async (ns) => {
        const first = items(ANON, 0, 7, 'order')
        const second = items(ANON, 7, 12, 'order')
        await must('commit', ns.commit({ append: first }))
        await must('commit', ns.commit({ append: second }))
        const all = [...first, ...second]
        return {
          observed: {
            three: await must('peek', ns.peek(ANON, 3)),
            all: await must('peek', ns.peek(ANON, 100)),
            none: await must('peek', ns.peek(ANON, 0)),
            unknownIdentity: await must('peek', ns.peek(userKey('nobody'), 10)),
          },
          expected: { three: all.slice(0, 3), all, none: [], unknownIdentity: [] },
        }
      }),
  },
  {
    name: 'R4: each identity is its own partition; load counts pending items per identity',
    act: (fixture) =>
      withNamespace(fixture, async (ns) => {
        const alice = userKey('alice')
        const bob = userKey('bob')
        const mixed = [
          sampleItem(ANON, 0, 'part'),
          sampleItem(alice, 1, 'part'),
          sampleItem(bob, 2, 'part'),
          sampleItem(alice, 3, 'part'),
          sampleItem(ANON, 4, 'part'),
          sampleItem(alice, 5, 'part'),
        ]
        await must('commit', ns.commit({ append: mixed }))
        const snapshot = await must('load', ns.load())
        const of = (identity: IdentityKey) => mixed.filter((item) => item.identity === identity)
        return {
          observed: {
            anon: await must('peek', ns.peek(ANON, 10)),
            alice: await must('peek', ns.peek(alice, 10)),
            bob: await must('peek', ns.peek(bob, 10)),
            pendingByIdentity: snapshot.pendingByIdentity,
          },
          expected: {
            anon: of(ANON),
            alice: of(alice),
            bob: of(bob),
            pendingByIdentity: { anon: 2, 'user:alice': 3, 'user:bob': 1 },
          },
        }
      }),
  },
  {
    name: 'R13: remove takes items out by id at the front and in the middle; unknown ids are ignored',
    act: (fixture) =>
      withNamespace(fixture, async (ns) => {
        const alice = userKey('alice')
        const queue = items(alice, 0, 10, 'rm')
        const other = items(ANON, 0, 3, 'rm')
        await must('commit', ns.commit({ append: [...queue, ...other] }))
        const front = queue.slice(0, 3)
        const middle = [queue[6]!]
        await must('commit', ns.commit({ remove: [...ids(front), 'never-stored' as ItemId] }))
        await must('commit', ns.commit({ remove: [...ids(middle), ...ids(front)] }))
        const left = queue.filter((item) => !ids([...front, ...middle]).includes(item.id))
        const snapshot = await must('load', ns.load())
        return {
          observed: {
            alice: await must('peek', ns.peek(alice, 100)),
            anon: await must('peek', ns.peek(ANON, 100)),
            pending: snapshot.pendingByIdentity,
          },
          expected: { alice: left, anon: other, pending: { 'user:alice': left.length, anon: 3 } },
        }
      }),
  },
  {
    name: 'R11: removeIdentities empties those identities and reports how many each lost',
    act: (fixture) =>
      withNamespace(fixture, async (ns) => {
        const alice = userKey('alice')
        const bob = userKey('bob')
        await must('commit', ns.commit({ append: [...items(alice, 0, 4, 'ri'), ...items(bob, 0, 2, 'ri'), ...items(ANON, 0, 1, 'ri')] }))
        await must('commit', ns.commit({ remove: [sampleItem(alice, 0, 'ri').id] }))
        const result = await must('commit', ns.commit({ removeIdentities: [alice, userKey('carol')] }))
        const again = await must('commit', ns.commit({ removeIdentities: [alice] }))
        const snapshot = await must('load', ns.load())
        return {
          observed: {
            removed: result.removedByIdentity,
            again: again.removedByIdentity,
            alice: await must('peek', ns.peek(alice, 10)),
            bob: ids(await must('peek', ns.peek(bob, 10))),
            pending: snapshot.pendingByIdentity,
          },
          expected: {
            removed: { 'user:alice': 3, 'user:carol': 0 },
            again: { 'user:alice': 0 },
            alice: [],
            bob: ids(items(bob, 0, 2, 'ri')),
            pending: { 'user:bob': 2, anon: 1 },
          },
        }
      }),
  },
  {
    name: 'R11: an erasing commit leaves nothing it removed or overwrote at rest (items, earlier state values)',
    act: (fixture) =>
      withNamespace(fixture, async (ns) => {
        const tag = runTag()
        const leaving = userKey(`leaving-${tag}`)
        const secretToken = `token-of-the-leaving-user-${tag}`
        const leavingItems = items(leaving, 0, 6, `erased-item-${tag}`)
        const staying = items(ANON, 0, 3, `kept-${tag}`)
        await must('commit', ns.commit({ append: leavingItems, state: { tokens: { leaving: secretToken } } }))
        await must('commit', ns.commit({ append: staying, state: { tokens: { leaving: `${secretToken}-refreshed` } } }))
        await must('commit', ns.commit({ removeIdentities: [leaving], state: { tokens: {} }, erase: true }))
        const loaded = await must('load', ns.load())
        const atRest = fixture.atRest === undefined ? '' : await fixture.atRest()
        return {
          observed: {
            pending: loaded.pendingByIdentity,
            tokens: loaded.state['tokens'],
            leftAtRest: [secretToken, `erased-item-${tag}`].filter((secret) => atRest.includes(secret)),
            keptAtRest: fixture.atRest === undefined || atRest.includes(`kept-${tag}`),
          },
          expected: { pending: { [ANON]: 3 }, tokens: {}, leftAtRest: [], keptAtRest: true },
        }
      }),
  },
  {
    name: 'R10: dead letters are kept oldest first and read up to the limit',
    act: (fixture) =>
      withNamespace(fixture, async (ns) => {
        const queue = items(ANON, 0, 5, 'dl')
        await must('commit', ns.commit({ append: queue }))
        const letters = queue.slice(0, 3).map(deadLetter)
        await must('commit', ns.commit({ remove: ids(queue.slice(0, 2)), deadLetters: letters.slice(0, 2) }))
        await must('commit', ns.commit({ remove: ids(queue.slice(2, 3)), deadLetters: letters.slice(2) }))
        const snapshot = await must('load', ns.load())
        return {
          observed: {
            two: await must('readDeadLetters', ns.readDeadLetters(2)),
            all: await must('readDeadLetters', ns.readDeadLetters(100)),
            count: snapshot.deadLetterCount,
            pending: ids(await must('peek', ns.peek(ANON, 10))),
          },
          expected: { two: letters.slice(0, 2), all: letters, count: 3, pending: ids(queue.slice(3)) },
        }
      }),
  },
  {
    name: 'state: values are set, overwritten, deleted with null and round-trip as JSON',
    act: (fixture) =>
      withNamespace(fixture, async (ns) => {
        const session: StateValue = { id: 'ses_1', lastActivity: 1_764_300_000_123, failures: 3, ratio: 0.1 + 0.2 }
        const tokens: StateValue = { 'user:alice': { token: 'eyJhbGciOi.x.y', status: 'usable', exp: null }, list: [1, 'two', false, [null]] }
        await must('commit', ns.commit({ state: { session, tokens, identity: 'user:ä✓🚀', gone: true, flag: false, zero: 0, empty: '' } }))
        await must('commit', ns.commit({ state: { gone: null, identity: 'anon', missing: null } }))
        const snapshot = await must('load', ns.load())
        return {
          observed: snapshot.state,
          expected: { session, tokens, identity: 'anon', flag: false, zero: 0, empty: '' },
        }
      }),
  },
  {
    name: 'namespaces are isolated: two appIds never see each other',
    act: async (fixture) => {
      const storage = await fixture.create()
      const tag = runTag()
      const a = await must('open a', storage.open(`app-a-${tag}`))
      const b = await must('open b', storage.open(`app-b-${tag}`))
      try {
        const itemsA = items(ANON, 0, 3, 'nsa')
        await must('commit a', a.commit({ append: itemsA, state: { who: 'a' }, deadLetters: [deadLetter(itemsA[0]!, 0)] }))
        await must('commit b', b.commit({ removeIdentities: [ANON], remove: ids(itemsA) }))
        const snapA = await must('load a', a.load())
        const snapB = await must('load b', b.load())
        return {
          observed: {
            bPeek: await must('peek b', b.peek(ANON, 10)),
            bState: snapB.state,
            bDead: snapB.deadLetterCount,
            bPending: snapB.pendingByIdentity,
            aPeek: ids(await must('peek a', a.peek(ANON, 10))),
            aState: snapA.state,
          },
          expected: { bPeek: [], bState: {}, bDead: 0, bPending: {}, aPeek: ids(itemsA), aState: { who: 'a' } },
        }
      } finally {
        await a.close()
        await b.close()
      }
    },
  },
  {
    name: 'commit applies append, remove, removeIdentities, deadLetters, state in that order, as one unit',
    act: (fixture) =>
      withNamespace(fixture, async (ns) => {
        const alice = userKey('alice')
        const before = items(alice, 0, 2, 'ord')
        await must('commit', ns.commit({ append: before }))
        const fresh = sampleItem(ANON, 10, 'ord')
        const keep = sampleItem(ANON, 11, 'ord')
        const doomed = sampleItem(alice, 12, 'ord')
        const result = await must(
          'commit',
          ns.commit({
            append: [fresh, keep, doomed],
            remove: [fresh.id],
            removeIdentities: [alice],
            deadLetters: [deadLetter(fresh, 1)],
            state: { cursor: 1 },
          }),
        )
        const snapshot = await must('load', ns.load())
        return {
          observed: {
            removed: result.removedByIdentity,
            anon: await must('peek', ns.peek(ANON, 10)),
            alice: await must('peek', ns.peek(alice, 10)),
            dead: await must('readDeadLetters', ns.readDeadLetters(10)),
            state: snapshot.state,
            pending: snapshot.pendingByIdentity,
          },
          // `doomed` was appended before removeIdentities ran, so it is counted with alice's two.
          expected: {
            removed: { 'user:alice': 3 },
            anon: [keep],
            alice: [],
            dead: [deadLetter(fresh, 1)],
            state: { cursor: 1 },
            pending: { anon: 1 },
          },
        }
      }),
  },
  {
    name: 'a closed namespace fails every call with closed, and its data stays for the next open',
    act: async (fixture) => {
      const storage = await fixture.create()
      const appId = `app-${runTag()}`
      const ns = await must('open', storage.open(appId))
      const queue = items(ANON, 0, 2, 'closed')
      await must('commit', ns.commit({ append: queue }))
      await ns.close()
      const kinds = {
        load: await failureKindOf(ns.load()),
        peek: await failureKindOf(ns.peek(ANON, 1)),
        commit: await failureKindOf(ns.commit({ append: items(ANON, 2, 3, 'closed') })),
        readDeadLetters: await failureKindOf(ns.readDeadLetters(1)),
      }
      const again = await must('reopen', (await reopenOf(fixture, storage)).open(appId))
      try {
        return {
          observed: { kinds, pending: await must('peek', again.peek(ANON, 10)) },
          expected: { kinds: { load: 'closed', peek: 'closed', commit: 'closed', readDeadLetters: 'closed' }, pending: queue },
        }
      } finally {
        await again.close()
      }
    },
  },
  {
    name: 'R13: after a restart a new instance sees exactly the pending items in order, the state and the dead letters',
    act: async (fixture) => {
      const storage = await fixture.create()
      const appId = `app-${runTag()}`
      const alice = userKey('alice')
      const bob = userKey('bob')
      const ns = await must('open', storage.open(appId))
      const expectedAnon: StoredItem[] = []
      const expectedAlice: StoredItem[] = []
      const letters: DeadLetter[] = []
      // Many small commits with acknowledgements in between, as a long offline period would make.
      for (let round = 0; round < 40; round++) {
        const anonBatch = items(ANON, round * 25, round * 25 + 25, 'restart')
        const aliceBatch = items(alice, round * 10, round * 10 + 10, 'restart')
        await must('commit', ns.commit({ append: [...anonBatch, ...aliceBatch, sampleItem(bob, round, 'restart')], state: round === 0 ? { round, firstSeen: 'round-0' } : { round } }))
        expectedAnon.push(...anonBatch)
        expectedAlice.push(...aliceBatch)
        if (round % 3 === 2) {
          const acked = expectedAnon.splice(0, 70)
          const lettered = expectedAlice.splice(3, 1)
          letters.push(...lettered.map(deadLetter))
          await must('commit', ns.commit({ remove: [...ids(acked), ...ids(lettered)], deadLetters: lettered.map(deadLetter) }))
        }
      }
      await must('commit', ns.commit({ removeIdentities: [bob], state: { identity: 'user:alice', round: null } }))
      await ns.close()
      const next = await reopenOf(fixture, storage)
      const again = await must('reopen', next.open(appId))
      try {
        const snapshot = await must('load', again.load())
        return {
          observed: {
            pending: snapshot.pendingByIdentity,
            state: snapshot.state,
            deadLetterCount: snapshot.deadLetterCount,
            skippedRecords: snapshot.skippedRecords,
            anon: await must('peek', again.peek(ANON, 10_000)),
            alice: await must('peek', again.peek(alice, 10_000)),
            bob: await must('peek', again.peek(bob, 10)),
            dead: await must('readDeadLetters', again.readDeadLetters(10_000)),
          },
          expected: {
            pending: { anon: expectedAnon.length, 'user:alice': expectedAlice.length },
            state: { identity: 'user:alice', firstSeen: 'round-0' },
            deadLetterCount: letters.length,
            skippedRecords: 0,
            anon: expectedAnon,
            alice: expectedAlice,
            bob: [],
            dead: letters,
          },
        }
      } finally {
        await again.close()
      }
    },
  },
]

/**
 * Runs one scenario and turns a thrown error or unexpected failure value into `{ error }`, so the
 * outcome can cross a process or page boundary as JSON.
 *
 * @example
 * ```ts
 * const outcome = await runStorageScenario(storageScenarios[0]!, { create: async () => createMemoryStorage() })
 * ```
 */
export const runStorageScenario = async (scenario: StorageScenario, fixture: StorageFixture): Promise<ScenarioOutcome> => {
  try {
    return await scenario.act(fixture)
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  } finally {
    await fixture.cleanup?.()
  }
}
