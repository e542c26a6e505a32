import * as E from 'fp-ts/lib/Either.js'
import type { Clock } from '@jwt-sync/core'
import type { HostMessage } from '../protocol/hostMessages.js'

/**
 * The host messages that answer a JS request.
 *
 * @example
 * ```ts
 * const answer: HostAnswer = { v: 1, kind: 'httpFailure', id: 'h3', failure: { kind: 'network', message: 'offline' } }
 * ```
 */
export type HostAnswer = Extract<HostMessage, { kind: 'httpResponse' | 'httpFailure' | 'storageResult' | 'storageFailure' }>

/**
 * Reads an answer into the request's outcome; `Left` names why the answer does not fit this
 * request (then the request stays pending and the host gets an error answer).
 *
 * @example
 * ```ts
 * const readNull: AnswerReader<null> = (a) => (a.kind === 'storageResult' && a.value === null ? E.right(null) : E.left('expected null'))
 * ```
 */
export type AnswerReader<A> = (answer: HostAnswer) => E.Either<string, A>

/**
 * Requests sent to the host and not answered yet, each guarded by a host timer.
 *
 * @example
 * ```ts
 * const pending: PendingRequests = createPendingRequests(clock)
 * pending.size() // 0
 * ```
 */
export type PendingRequests = {
  /**
   * Sends a request built for a fresh id and settles with the reader's outcome, or with
   * `onTimeout()` when no fitting answer came within `timeoutMs`. Never rejects.
   */
  readonly ask: <A>(prefix: string, timeoutMs: number, send: (id: string) => void, read: AnswerReader<A>, onTimeout: () => A) => Promise<A>
  /** Delivers an answer. `Left` when no request has that id or the answer does not fit it. */
  readonly answer: (answer: HostAnswer) => E.Either<{ readonly unknownId: boolean; readonly message: string }, void>
  /** How many requests still wait for an answer (neither answered nor timed out). */
  readonly size: () => number
}

type Pending = { readonly settle: (answer: HostAnswer) => E.Either<string, void> }

/**
 * Creates the registry. Timeouts run on the given clock (host timers), so a host that never
 * answers cannot stall the SDK: the request fails as a transient failure the core retries.
 *
 * @example
 * ```ts
 * const pending = createPendingRequests(clock)
 * const outcome = await pending.ask('h', 35_000, (id) => outbox({ v: 1, kind: 'http', id, request }), readHttp, () => E.left(timeout))
 * ```
 */
export const createPendingRequests = (clock: Clock): PendingRequests => {
  const pending = new Map<string, Pending>()
  let nextId = 1
  return {
    ask: (prefix, timeoutMs, send, read, onTimeout) =>
      new Promise((resolve) => {
        const id = `${prefix}${nextId++}`
        const timer = clock.setTimeout(() => {
          if (pending.delete(id)) resolve(onTimeout())
        }, timeoutMs)
        pending.set(id, {
          settle: (answer) => {
            const outcome = read(answer)
            if (E.isLeft(outcome)) return outcome
            pending.delete(id)
            clock.clearTimeout(timer)
            resolve(outcome.right)
            return E.right(undefined)
          },
        })
        send(id)
      }),
    answer: (answer) => {
      const request = pending.get(answer.id)
      if (request === undefined) {
        return E.left({ unknownId: true, message: `no pending request has id "${answer.id}" (never sent, already answered, or timed out)` })
      }
      const settled = request.settle(answer)
      return E.isLeft(settled) ? E.left({ unknownId: false, message: settled.left }) : E.right(undefined)
    },
    size: () => pending.size,
  }
}
