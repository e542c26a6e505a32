import * as E from '@jwt-sync/core/either'
import type { StorageFailure } from '@jwt-sync/core'
import { webFailure, type WebLog } from './webLog.js'

/**
 * The slice of the DOM `Storage` (localStorage) the web storage uses.
 *
 * @example
 * ```ts
 * const area = globalThis.localStorage as unknown as KeyValueArea
 * ```
 */
export type KeyValueArea = {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/**
 * A namespace's log in localStorage, where IndexedDB is missing. Each record is one key
 * (`<name>:<seq>`), written by one `setItem`, so a commit is atomic and never rewrites the queue.
 * `<name>:base` holds the first live sequence number: a compaction writes the live records after
 * the current ones, moves `base` past the old ones in one `setItem`, then deletes them; a quota
 * error halfway removes what it wrote and leaves the old log as it was.
 *
 * @example
 * ```ts
 * const log = openLocalStorageLog(localStorage as unknown as KeyValueArea, 'jwt-sync:my-app')
 * ```
 */
export const openLocalStorageLog = (area: KeyValueArea, name: string): E.Either<StorageFailure, WebLog> => {
  const baseKey = `${name}:base`
  const keyOf = (seq: number): string => `${name}:${seq}`
  let base = 0
  let next = 0
  const attempt = <A>(what: string, run: () => A): E.Either<StorageFailure, A> => {
    try {
      return E.right(run())
    } catch (error) {
      return E.left(webFailure(what, error))
    }
  }
  const opened = attempt(`cannot read localStorage ${name}`, () => {
    const stored = Number(area.getItem(baseKey) ?? '0')
    base = Number.isSafeInteger(stored) && stored >= 0 ? stored : 0
    // Leftovers of a compaction interrupted after it moved `base`.
    for (let seq = base - 1; seq >= 0 && area.getItem(keyOf(seq)) !== null; seq--) area.removeItem(keyOf(seq))
  })
  if (E.isLeft(opened)) return opened
  return E.right({
    read: () =>
      Promise.resolve(
        attempt(`cannot read localStorage ${name}`, () => {
          const texts: string[] = []
          let seq = base
          for (let text = area.getItem(keyOf(seq)); text !== null; text = area.getItem(keyOf(++seq))) texts.push(text)
          next = seq
          return texts
        }),
      ),
    append: (text) =>
      Promise.resolve(
        attempt(`cannot write localStorage ${name}`, () => {
          area.setItem(keyOf(next), text)
          next++
        }),
      ),
    replace: (texts) => {
      const start = next
      const written = attempt(`cannot compact localStorage ${name}`, () => {
        texts.forEach((text, i) => area.setItem(keyOf(start + i), text))
        area.setItem(baseKey, String(start))
      })
      if (E.isLeft(written)) {
        for (let i = 0; i < texts.length; i++) attempt('rollback', () => area.removeItem(keyOf(start + i)))
        return Promise.resolve(written)
      }
      for (let seq = base; seq < start; seq++) attempt('cleanup', () => area.removeItem(keyOf(seq)))
      base = start
      next = start + texts.length
      return Promise.resolve(E.right(undefined))
    },
    close: () => undefined,
  })
}
