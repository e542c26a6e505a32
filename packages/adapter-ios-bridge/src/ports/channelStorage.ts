import * as E from 'fp-ts/lib/Either.js'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import { describeDecodeFailure, type Storage, type StorageFailure, type StorageNamespace, type StorageSnapshot } from '@jwt-sync/core'
import type { StorageRequest } from '../protocol/bridgeMessages.js'
import { STORAGE_RESULT_CODECS } from '../protocol/storageResults.js'
import type { Outbox } from './outbox.js'
import type { AnswerReader, PendingRequests } from './pendingRequests.js'

/**
 * Default time a storage request may stay unanswered before it fails as `io`.
 *
 * @example
 * ```ts
 * createChannelStorage(outbox, pending, DEFAULT_STORAGE_TIMEOUT_MS)
 * ```
 */
export const DEFAULT_STORAGE_TIMEOUT_MS = 10_000

type Op = StorageRequest['op']

const readerFor =
  <A>(op: Op, codec: t.Type<A, unknown, unknown>): AnswerReader<E.Either<StorageFailure, A>> =>
  (answer) => {
    if (answer.kind === 'storageFailure') return E.right(E.left(answer.failure))
    if (answer.kind !== 'storageResult') return E.left(`request ${answer.id} is a storage request; answer it with storageResult or storageFailure, not ${answer.kind}`)
    const decoded = codec.decode(answer.value)
    if (E.isLeft(decoded)) return E.left(`storageResult for ${op}: ${describeDecodeFailure(decoded.left).message}`)
    return E.right(E.right(decoded.right))
  }

/**
 * The storage port over the channel: every call of the core's storage port (`open`, `load`,
 * `peek`, `commit`, `readDeadLetters`, `close`) is one `storage` message carrying the namespace;
 * the host keeps the durable data. Results are decoded with io-ts; an unanswered request fails as
 * `io` after `timeoutMs` (transient for the core).
 *
 * @example
 * ```ts
 * const storage = createChannelStorage(outbox, pending, 10_000)
 * const ns = await storage.open('my-app')() // host got { v: 1, kind: 'storage', id: 's1', namespace: 'my-app', op: 'open' }
 * ```
 */
export const createChannelStorage = (outbox: Outbox, pending: PendingRequests, timeoutMs: number): Storage => {
  const request = <A>(namespace: string, body: StorageRequest, codec: t.Type<A, unknown, unknown>): TaskEither<StorageFailure, A> => () =>
    pending.ask(
      's',
      timeoutMs,
      (id) => outbox({ v: 1, kind: 'storage', id, namespace, ...body }),
      readerFor(body.op, codec),
      () => E.left({ kind: 'io', message: `the host did not answer storage ${body.op} within ${timeoutMs} ms` }),
    )

  const namespaceOf = (namespace: string): StorageNamespace => {
    let closed = false
    const closedFailure: TaskEither<StorageFailure, never> = () => Promise.resolve(E.left({ kind: 'closed', message: 'storage namespace is closed' }))
    const whileOpen = <A>(task: () => TaskEither<StorageFailure, A>): TaskEither<StorageFailure, A> => (closed ? closedFailure : task())
    return {
      // The snapshot's state comes from JSON, so its values are JSON values (StateValue).
      load: () => whileOpen(() => request(namespace, { op: 'load' }, STORAGE_RESULT_CODECS.load as unknown as t.Type<StorageSnapshot, unknown, unknown>)),
      peek: (identity, limit) => whileOpen(() => request(namespace, { op: 'peek', identity, limit }, STORAGE_RESULT_CODECS.peek)),
      commit: (write) => whileOpen(() => request(namespace, { op: 'commit', write: write as Record<string, unknown> }, STORAGE_RESULT_CODECS.commit)),
      readDeadLetters: (limit) => whileOpen(() => request(namespace, { op: 'readDeadLetters', limit }, STORAGE_RESULT_CODECS.readDeadLetters)),
      close: () => {
        if (closed) return Promise.resolve()
        closed = true
        return request(namespace, { op: 'close' }, STORAGE_RESULT_CODECS.close)().then(() => undefined)
      },
    }
  }

  return {
    open: (namespace) => () => request(namespace, { op: 'open' }, STORAGE_RESULT_CODECS.open)().then(E.map(() => namespaceOf(namespace))),
  }
}
