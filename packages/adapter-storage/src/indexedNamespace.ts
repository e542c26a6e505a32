import * as E from '@jwt-sync/core/either'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { CommitResult, StorageFailure, StorageNamespace, StorageWrite } from '@jwt-sync/core'
import type { NamespaceIndex } from './namespaceIndex.js'
import { closedFailure, unexpectedFailure } from './storageFailure.js'

/**
 * The namespace handle every log-backed driver hands out: reads come from the in-memory index,
 * commits run one at a time in call order, and a closed handle answers `closed`.
 *
 * @example
 * ```ts
 * return E.right(indexedNamespace({ index, commit: (write) => appendToLog(write), close: () => log.close() }))
 * ```
 */
export const indexedNamespace = (driver: {
  readonly index: NamespaceIndex
  /** Writes one commit durably and applies it to the index. Never called concurrently. */
  readonly commit: (write: StorageWrite) => Promise<E.Either<StorageFailure, CommitResult>>
  /** Releases the log and the lock, after the last commit finished. */
  readonly close: () => Promise<void>
}): StorageNamespace => {
  let closed = false
  let queue: Promise<unknown> = Promise.resolve()
  const serialise = <A>(task: () => Promise<A>): Promise<A> => {
    const run = queue.then(task)
    queue = run.catch(() => undefined)
    return run
  }
  const whileOpen =
    <A>(read: () => A): TaskEither<StorageFailure, A> =>
    () =>
      Promise.resolve(closed ? E.left(closedFailure) : E.right(read()))

  return {
    load: () => whileOpen(() => driver.index.snapshot()),
    peek: (identity, limit) => whileOpen(() => driver.index.peek(identity, limit)),
    readDeadLetters: (limit) => whileOpen(() => driver.index.readDeadLetters(limit)),
    commit: (write) => () => (closed ? Promise.resolve(E.left(closedFailure)) : serialise(() => driver.commit(write)).catch(unexpectedFailure('commit'))),
    close: async () => {
      if (closed) return
      closed = true
      await queue
      await driver.close()
    },
  }
}
