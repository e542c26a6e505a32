/**
 * Runs in Chromium: the storage conformance scenarios and the browser-only checks (reload, quota,
 * fallback, locks, damaged records) against the real web storage driver. Each function returns
 * `{ observed, expected }` (or `{ error }`) as JSON; the vitest side asserts on it.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { IdentityKey, ItemId, StorageNamespace, StoredItem } from '@jwt-sync/core'
import { runStorageScenario, sampleItem, storageScenarios, type ScenarioOutcome } from '../../../conformance/src/storageScenarios.js'
import { createWebStorage } from '../../src/webStorage.js'

// The page's globals this harness touches (the repo typechecks without the DOM lib).
type IdbRequest = { result: unknown; error: unknown; onsuccess: (() => void) | null; onerror: (() => void) | null }
type IdbDatabase = {
  transaction(store: string, mode: 'readwrite' | 'readonly'): {
    objectStore(name: string): { put(value: unknown, key: number): unknown; getAll(): IdbRequest }
    oncomplete: (() => void) | null
    onerror: (() => void) | null
    error: unknown
  }
  readonly objectStoreNames: Iterable<string>
  close(): void
}
type PageGlobals = {
  indexedDB?: { open(name: string, version?: number): IdbRequest; databases(): Promise<{ name?: string }[]> }
  localStorage: {
    setItem(key: string, value: string): void
    removeItem(key: string): void
    getItem(key: string): string | null
    key(index: number): string | null
    readonly length: number
  }
  location: { search: string }
  IDBObjectStore: { prototype: { put: (...args: unknown[]) => unknown } }
}
const page = globalThis as unknown as PageGlobals
const { localStorage } = page

if (new URLSearchParams(page.location.search).has('noidb')) {
  // The fallback case: a browser without IndexedDB.
  Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true })
}

const anon = 'anon' as IdentityKey
const items = (from: number, to: number, tag: string): StoredItem[] => {
  const out: StoredItem[] = []
  for (let n = from; n < to; n++) out.push(sampleItem(anon, n, tag))
  return out
}
const idsOf = (list: readonly StoredItem[]): ItemId[] => list.map((item) => item.id)

const open = async (prefix: string, namespace = 'app'): Promise<StorageNamespace> => {
  const opened = await createWebStorage({ databasePrefix: prefix }).open(namespace)()
  if (E.isLeft(opened)) throw new Error(`open: ${opened.left.kind}: ${opened.left.message}`)
  return opened.right
}
const must = async <A>(task: () => Promise<E.Either<{ kind: string; message: string }, A>>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) throw new Error(`${result.left.kind}: ${result.left.message}`)
  return result.right
}
const kindOf = async (task: () => Promise<E.Either<{ kind: string }, unknown>>): Promise<string> => {
  const result = await task()
  return E.isLeft(result) ? result.left.kind : 'succeeded'
}
const outcome = async (act: () => Promise<{ observed: unknown; expected: unknown }>): Promise<ScenarioOutcome> => {
  try {
    return await act()
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

/** Every record of this run's IndexedDB databases (or its localStorage keys), as text. */
const everythingAtRest = async (prefix: string): Promise<string> => {
  if (page.indexedDB === undefined) {
    const values: string[] = []
    for (let i = 0; i < page.localStorage.length; i++) {
      const key = page.localStorage.key(i)
      if (key !== null && key.includes(prefix)) values.push(page.localStorage.getItem(key) ?? '')
    }
    return values.join('\n')
  }
  const indexedDB = page.indexedDB
  const texts: string[] = []
  for (const { name } of await indexedDB.databases()) {
    if (name === undefined || !name.includes(prefix)) continue
    const db = await new Promise<IdbDatabase>((resolve, reject) => {
      const request = indexedDB.open(name)
      request.onsuccess = () => resolve(request.result as IdbDatabase)
      request.onerror = () => reject(request.error)
    })
    for (const storeName of [...db.objectStoreNames]) {
      const records = await new Promise<unknown>((resolve, reject) => {
        const request = db.transaction(storeName, 'readonly').objectStore(storeName).getAll()
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error)
      })
      texts.push(JSON.stringify(records))
    }
    db.close()
  }
  return texts.join('\n')
}

const reloadItems = [...items(0, 30, 'reload'), ...items(30, 35, 'reload')]

const harness = {
  backend: (): string => (page.indexedDB === undefined ? 'localStorage' : 'indexedDB'),

  runScenario: (name: string): Promise<ScenarioOutcome> => {
    const scenario = storageScenarios.find((candidate) => candidate.name === name)
    if (scenario === undefined) return Promise.resolve({ error: `no scenario named ${name}` })
    const prefix = `conformance-${Math.random().toString(36).slice(2)}`
    return runStorageScenario(scenario, {
      create: async () => createWebStorage({ databasePrefix: prefix, compactionThresholdChars: 2048 }),
      reopen: async () => createWebStorage({ databasePrefix: prefix, compactionThresholdChars: 2048 }),
      atRest: () => everythingAtRest(prefix),
    })
  },

  /** Before a reload: commits, acknowledges and dead-letters, and leaves the namespace open. */
  writeBeforeReload: async (prefix: string): Promise<ScenarioOutcome> =>
    outcome(async () => {
      const ns = await open(prefix)
      await must(ns.commit({ append: reloadItems.slice(0, 30), state: { session: { id: 's1', failures: 2 } } }))
      await must(ns.commit({ remove: idsOf(reloadItems.slice(0, 10)), deadLetters: [{ item: reloadItems[0]!, status: 400, reason: 'bad', at: 1 }] }))
      await must(ns.commit({ append: reloadItems.slice(30) }))
      return { observed: (await must(ns.load())).pendingByIdentity, expected: { anon: 25 } }
    }),

  readAfterReload: async (prefix: string): Promise<ScenarioOutcome> =>
    outcome(async () => {
      const ns = await open(prefix)
      const snapshot = await must(ns.load())
      const observed = {
        pending: idsOf(await must(ns.peek(anon, 1000))),
        state: snapshot.state,
        dead: (await must(ns.readDeadLetters(10))).map((letter) => letter.item.id),
        skipped: snapshot.skippedRecords,
      }
      await ns.close()
      return {
        observed,
        expected: { pending: idsOf(reloadItems.slice(10)), state: { session: { id: 's1', failures: 2 } }, dead: [reloadItems[0]!.id], skipped: 0 },
      }
    }),

  /** IndexedDB refusing writes the way a full origin does: `put` throws QuotaExceededError. */
  indexedDbQuota: async (): Promise<ScenarioOutcome> =>
    outcome(async () => {
      const prefix = `quota-idb-${Math.random().toString(36).slice(2)}`
      const ns = await open(prefix)
      const before = items(0, 20, 'qidb')
      await must(ns.commit({ append: before }))
      const store = page.IDBObjectStore.prototype
      const put = store.put
      store.put = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      }
      const refused = await kindOf(ns.commit({ append: items(20, 25, 'qidb') }))
      store.put = put
      const whileFull = idsOf(await must(ns.peek(anon, 100)))
      const after = items(25, 27, 'qidb')
      await must(ns.commit({ append: after }))
      await ns.close()
      const again = await open(prefix)
      const reread = idsOf(await must(again.peek(anon, 100)))
      await again.close()
      return {
        observed: { refused, whileFull, reread },
        expected: { refused: 'quota', whileFull: idsOf(before), reread: idsOf([...before, ...after]) },
      }
    }),

  /** A really exhausted localStorage: filler keys until the browser refuses. */
  localStorageQuota: async (): Promise<ScenarioOutcome> =>
    outcome(async () => {
      const prefix = `quota-ls-${Math.random().toString(36).slice(2)}`
      const ns = await open(prefix)
      const before = items(0, 20, 'qls')
      await must(ns.commit({ append: before }))
      const filler: string[] = []
      const chunk = 'x'.repeat(64 * 1024)
      for (let i = 0; i < 10_000; i++) {
        try {
          localStorage.setItem(`filler-${i}`, chunk)
          filler.push(`filler-${i}`)
        } catch {
          break
        }
      }
      const refused = await kindOf(ns.commit({ append: items(20, 200, 'qls') }))
      const whileFull = idsOf(await must(ns.peek(anon, 1000)))
      for (const key of filler) localStorage.removeItem(key)
      const after = items(200, 203, 'qls')
      await must(ns.commit({ append: after }))
      await ns.close()
      const again = await open(prefix)
      const reread = idsOf(await must(again.peek(anon, 1000)))
      const skipped = (await must(again.load())).skippedRecords
      await again.close()
      return {
        observed: { filled: filler.length > 0, refused, whileFull, reread, skipped },
        expected: { filled: true, refused: 'quota', whileFull: idsOf(before), reread: idsOf([...before, ...after]), skipped: 0 },
      }
    }),

  /** A second open of an open namespace (another tab would do the same) is `locked`. */
  lockedTwice: async (): Promise<ScenarioOutcome> =>
    outcome(async () => {
      const prefix = `lock-${Math.random().toString(36).slice(2)}`
      const first = await open(prefix)
      const second = await createWebStorage({ databasePrefix: prefix }).open('app')()
      const other = await createWebStorage({ databasePrefix: prefix }).open('other-app')()
      await first.close()
      if (E.isRight(other)) await other.right.close()
      const third = await createWebStorage({ databasePrefix: prefix }).open('app')()
      if (E.isRight(third)) await third.right.close()
      return {
        observed: { second: E.isLeft(second) ? second.left.kind : 'opened', other: E.isRight(other), third: E.isRight(third) },
        expected: { second: 'locked', other: true, third: true },
      }
    }),

  /** Holds a namespace open so another page of the same origin can try it. */
  holdOpen: async (prefix: string): Promise<boolean> => {
    const ns = await open(prefix)
    ;(globalThis as { held?: StorageNamespace }).held = ns
    return true
  },
  tryOpen: async (prefix: string): Promise<string> => {
    const opened = await createWebStorage({ databasePrefix: prefix }).open('app')()
    if (E.isRight(opened)) await opened.right.close()
    return E.isLeft(opened) ? opened.left.kind : 'opened'
  },

  /** Damaged and future-version records (written straight into the medium) are skipped and counted. */
  damagedRecords: async (): Promise<ScenarioOutcome> =>
    outcome(async () => {
      const prefix = `damaged-${Math.random().toString(36).slice(2)}`
      const name = `${prefix}:app`
      const ns = await open(prefix)
      const first = items(0, 5, 'dmg')
      const second = items(5, 10, 'dmg')
      await must(ns.commit({ append: first }))
      await ns.close()
      const bad = ['{"v":1,"r":{"a":[{"id":', JSON.stringify({ v: 2, r: { a: items(50, 52, 'dmg') } }), JSON.stringify({ v: 1, r: { a: 'nope' } })]
      if (page.indexedDB === undefined) {
        bad.forEach((text, i) => localStorage.setItem(`${name}:${1 + i}`, text))
      } else {
        const factory = page.indexedDB
        const db = await new Promise<IdbDatabase>((resolve, reject) => {
          const request = factory.open(name, 1)
          request.onsuccess = () => resolve(request.result as IdbDatabase)
          request.onerror = () => reject(request.error)
        })
        await new Promise<void>((resolve, reject) => {
          const transaction = db.transaction('log', 'readwrite')
          bad.forEach((text, i) => transaction.objectStore('log').put(text, 1 + i))
          transaction.oncomplete = () => resolve()
          transaction.onerror = () => reject(transaction.error)
        })
        db.close()
      }
      const again = await open(prefix)
      await must(again.commit({ append: second }))
      await again.close()
      const last = await open(prefix)
      const observed = { pending: idsOf(await must(last.peek(anon, 100))), skipped: (await must(last.load())).skippedRecords }
      await last.close()
      return { observed, expected: { pending: idsOf([...first, ...second]), skipped: 3 } }
    }),
}

;(globalThis as { harness?: typeof harness }).harness = harness
