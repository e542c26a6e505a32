import * as E from '../model/either.js'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { IdentityKey } from '../model/identity.js'
import type { DeadLetter, ItemId, StoredItem } from '../model/item.js'
import type { CommitResult, StateValue, Storage, StorageFailure, StorageNamespace, StorageWrite } from '../ports/storage.js'

const done = <A>(value: A): TaskEither<StorageFailure, A> => () => Promise.resolve(E.right(value))
const closedFailure: StorageFailure = { kind: 'closed', message: 'storage namespace is closed' }

/**
 * One identity's pending items, oldest first. Removal leaves a hole that the head skips, so
 * acknowledging a batch at the front costs O(batch), not O(queue) (R13).
 */
class IdentityQueue {
  private items: (StoredItem | undefined)[] = []
  private head = 0
  size = 0

  push(item: StoredItem): void {
    this.items.push(item)
    this.size++
  }

  peek(limit: number): StoredItem[] {
    const out: StoredItem[] = []
    for (let i = this.head; i < this.items.length && out.length < limit; i++) {
      const item = this.items[i]
      if (item !== undefined) out.push(item)
    }
    return out
  }

  /** Removes the ids it holds from `wanted` as it finds them; scans from the front. */
  remove(wanted: Set<string>): void {
    for (let i = this.head; i < this.items.length && wanted.size > 0; i++) {
      const item = this.items[i]
      if (item !== undefined && wanted.delete(item.id)) {
        this.items[i] = undefined
        this.size--
      }
    }
    while (this.head < this.items.length && this.items[this.head] === undefined) this.head++
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }
}

type NamespaceData = Omit<StorageNamespace, 'close'>

const createNamespaceData = (): NamespaceData => {
  const queues = new Map<IdentityKey, IdentityQueue>()
  const deadLetters: DeadLetter[] = []
  const state = new Map<string, StateValue>()

  const queueOf = (identity: IdentityKey): IdentityQueue => {
    let queue = queues.get(identity)
    if (queue === undefined) {
      queue = new IdentityQueue()
      queues.set(identity, queue)
    }
    return queue
  }

  const commit = (write: StorageWrite): CommitResult => {
    for (const item of write.append ?? []) queueOf(item.identity).push(item)
    if (write.remove !== undefined && write.remove.length > 0) {
      const wanted = new Set<string>(write.remove as readonly ItemId[])
      for (const queue of queues.values()) {
        if (wanted.size === 0) break
        queue.remove(wanted)
      }
    }
    const removedByIdentity: Record<string, number> = {}
    for (const identity of write.removeIdentities ?? []) {
      removedByIdentity[identity] = queues.get(identity)?.size ?? 0
      queues.delete(identity)
    }
    for (const letter of write.deadLetters ?? []) deadLetters.push(letter)
    for (const [key, value] of Object.entries(write.state ?? {})) {
      if (value === null) state.delete(key)
      // Kept by reference: state values are immutable snapshots (the core never mutates them).
      else state.set(key, value)
    }
    return { removedByIdentity }
  }

  return {
    load: () => {
      const pendingByIdentity: Record<string, number> = {}
      for (const [identity, queue] of queues) if (queue.size > 0) pendingByIdentity[identity] = queue.size
      return done({ pendingByIdentity, deadLetterCount: deadLetters.length, state: Object.fromEntries(state), skippedRecords: 0 })
    },
    peek: (identity, limit) => done(queues.get(identity)?.peek(limit) ?? []),
    commit: (write) => () => Promise.resolve(E.right(commit(write))),
    readDeadLetters: (limit) => done(deadLetters.slice(0, limit)),
  }
}

/**
 * The in-memory storage: the embedded default. Data lives as long as this object; each namespace
 * (appId) is separate. Opening the same namespace twice gives the same data, as a relaunch would.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage()
 * const sdk = createSdk(config, { transport, storage })
 * ```
 */
export const createMemoryStorage = (): Storage => {
  const namespaces = new Map<string, NamespaceData>()
  return {
    open: (namespace) => () => {
      let data = namespaces.get(namespace)
      if (data === undefined) {
        data = createNamespaceData()
        namespaces.set(namespace, data)
      }
      const shared = data
      // Each open gets its own handle: closing it keeps the data for a later open (a relaunch).
      let closed = false
      const whileOpen =
        <A extends unknown[], R>(op: (...args: A) => TaskEither<StorageFailure, R>) =>
        (...args: A): TaskEither<StorageFailure, R> =>
          closed ? () => Promise.resolve(E.left(closedFailure)) : op(...args)
      const handle: StorageNamespace = {
        load: whileOpen(shared.load),
        peek: whileOpen(shared.peek),
        commit: whileOpen(shared.commit),
        readDeadLetters: whileOpen(shared.readDeadLetters),
        close: () => {
          closed = true
          return Promise.resolve()
        },
      }
      return Promise.resolve(E.right(handle))
    },
  }
}
