import * as E from '@jwt-sync/core/either'
import type { StorageFailure } from '@jwt-sync/core'
import { webFailure, type WebLog } from './webLog.js'

// The few IndexedDB shapes this driver touches; the package builds without the DOM lib.
type Request<T> = { result: T; error: unknown; onsuccess: (() => void) | null; onerror: (() => void) | null }
type ObjectStore = {
  put(value: unknown, key: number): unknown
  clear(): unknown
  getAll(): Request<unknown[]>
  getAllKeys(): Request<unknown[]>
}
type Transaction = {
  objectStore(name: string): ObjectStore
  abort(): void
  error: unknown
  oncomplete: (() => void) | null
  onerror: (() => void) | null
  onabort: (() => void) | null
}
type Database = {
  transaction(store: string, mode: 'readonly' | 'readwrite', options?: { durability: 'strict' | 'relaxed' }): Transaction
  createObjectStore(name: string): unknown
  close(): void
  onversionchange: (() => void) | null
}
type OpenRequest = Request<Database> & { onupgradeneeded: (() => void) | null; onblocked: (() => void) | null }

/**
 * The slice of `IDBFactory` the web storage uses.
 *
 * @example
 * ```ts
 * const factory = globalThis.indexedDB as unknown as IndexedDbFactory
 * ```
 */
export type IndexedDbFactory = { open(name: string, version: number): OpenRequest }

const STORE = 'log'

const settle = (transaction: Transaction, what: string): Promise<E.Either<StorageFailure, void>> =>
  new Promise((resolve) => {
    transaction.oncomplete = () => resolve(E.right(undefined))
    transaction.onabort = () => resolve(E.left(webFailure(what, transaction.error ?? { name: 'AbortError', message: 'transaction aborted' })))
    transaction.onerror = null
  })

/** Runs writes in one readwrite transaction; a write that throws (e.g. QuotaExceededError) aborts it. */
const writeTransaction = (db: Database, durability: 'strict' | 'relaxed', what: string, writes: (store: ObjectStore) => void): Promise<E.Either<StorageFailure, void>> => {
  let transaction: Transaction
  try {
    transaction = db.transaction(STORE, 'readwrite', { durability })
  } catch (error) {
    return Promise.resolve(E.left(webFailure(what, error)))
  }
  const done = settle(transaction, what)
  try {
    writes(transaction.objectStore(STORE))
  } catch (error) {
    try {
      transaction.abort()
    } catch {
      // Already finished or aborted: the thrown error is the one to report.
    }
    return done.then(() => E.left(webFailure(what, error)))
  }
  return done
}

/**
 * Opens (creating if needed) the database of one namespace: one object store of record texts
 * keyed by sequence number. Each append is one readwrite transaction; a compaction clears and
 * rewrites the store in one transaction, so it is all or nothing.
 *
 * @example
 * ```ts
 * const log = await openIndexedDbLog(indexedDB as unknown as IndexedDbFactory, 'jwt-sync:my-app', 'strict')
 * ```
 */
export const openIndexedDbLog = (factory: IndexedDbFactory, name: string, durability: 'strict' | 'relaxed'): Promise<E.Either<StorageFailure, WebLog>> =>
  new Promise((resolve) => {
    let request: OpenRequest
    try {
      request = factory.open(name, 1)
    } catch (error) {
      resolve(E.left(webFailure(`cannot open IndexedDB ${name}`, error)))
      return
    }
    let blocked = false
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE)
    }
    request.onblocked = () => {
      blocked = true
      resolve(E.left({ kind: 'locked', message: `IndexedDB ${name} is held open by an older version in another tab` }))
    }
    request.onerror = () => resolve(E.left(webFailure(`cannot open IndexedDB ${name}`, request.error)))
    request.onsuccess = () => {
      const db = request.result
      // Already reported as locked: a late success must not leave a connection nobody closes.
      if (blocked) {
        db.close()
        return
      }
      // Another tab upgrading the database: step aside rather than block it.
      db.onversionchange = () => db.close()
      let next = 0
      resolve(
        E.right({
          read: () =>
            new Promise((done) => {
              let transaction: Transaction
              try {
                transaction = db.transaction(STORE, 'readonly')
              } catch (error) {
                done(E.left(webFailure(`cannot read IndexedDB ${name}`, error)))
                return
              }
              const store = transaction.objectStore(STORE)
              const keys = store.getAllKeys()
              const values = store.getAll()
              transaction.onabort = () => done(E.left(webFailure(`cannot read IndexedDB ${name}`, transaction.error)))
              transaction.oncomplete = () => {
                // Keys come back in ascending order.
                const last = keys.result[keys.result.length - 1]
                next = typeof last === 'number' ? last + 1 : 0
                done(E.right(values.result.map((value) => (typeof value === 'string' ? value : ''))))
              }
            }),
          append: async (text) => {
            const written = await writeTransaction(db, durability, `cannot write IndexedDB ${name}`, (store) => {
              store.put(text, next)
            })
            if (E.isRight(written)) next++
            return written
          },
          replace: async (texts) => {
            const written = await writeTransaction(db, durability, `cannot compact IndexedDB ${name}`, (store) => {
              store.clear()
              texts.forEach((text, key) => store.put(text, key))
            })
            if (E.isRight(written)) next = texts.length
            return written
          },
          close: () => db.close(),
        }),
      )
    }
  })
