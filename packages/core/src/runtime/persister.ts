import * as E from 'fp-ts/lib/Either.js'
import type { IdentityKey } from '../model/identity.js'
import type { DeadLetter, ItemId, StoredItem } from '../model/item.js'
import type { Clock } from '../ports/clock.js'
import type { StateValue, StorageFailure, StorageNamespace, StorageWrite } from '../ports/storage.js'

type Group = {
  append: StoredItem[]
  remove: ItemId[]
  removeIdentities: IdentityKey[]
  deadLetters: DeadLetter[]
  state: Record<string, StateValue | null>
  /** The last enqueue number folded into this group. */
  lastSeq: number
}

const emptyGroup = (): Group => ({ append: [], remove: [], removeIdentities: [], deadLetters: [], state: {}, lastSeq: 0 })

const RETRY_FIRST_MS = 1_000
const RETRY_MAX_MS = 30_000

/**
 * Groups writes (R13): everything enqueued in one tick becomes one `commit`, one commit is in
 * flight at a time, and a failed commit is kept and retried (quota, I/O), never dropped.
 * `drained()` resolves once everything enqueued before the call is committed.
 */
export type Persister = {
  appendItem(item: StoredItem): void
  enqueue(write: StorageWrite): void
  setState(key: string, value: StateValue | null): void
  drained(): Promise<void>
  /** True while a commit failure is unresolved. */
  failing(): boolean
  stop(): void
}

export const createPersister = (options: {
  readonly namespace: () => StorageNamespace | null
  readonly clock: Clock
  readonly onFailure: (failure: StorageFailure) => void
  readonly onRecovered: () => void
}): Persister => {
  const groups: Group[] = []
  let seq = 0
  let committedSeq = 0
  let busy = false
  let scheduled = false
  let retryHandle: unknown = null
  let retryDelay = RETRY_FIRST_MS
  let isFailing = false
  let stopped = false
  const waiters: { seq: number; resolve: () => void }[] = []

  const current = (): Group => {
    let last = groups[groups.length - 1]
    // While the in-flight group is being committed it must not grow.
    if (last === undefined || (busy && groups.length === 1)) {
      last = emptyGroup()
      groups.push(last)
    }
    return last
  }

  /** A group that deletes identities must not absorb later appends: they would be deleted too. */
  const groupForAppend = (): Group => {
    const last = current()
    if (last.removeIdentities.length === 0) return last
    const fresh = emptyGroup()
    groups.push(fresh)
    return fresh
  }

  const schedule = (): void => {
    if (scheduled || busy || stopped || retryHandle !== null) return
    scheduled = true
    void Promise.resolve().then(pump)
  }

  const settleWaiters = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]
      if (waiter !== undefined && waiter.seq <= committedSeq) {
        waiters.splice(i, 1)
        waiter.resolve()
      }
    }
  }

  const toWrite = (group: Group): StorageWrite => {
    const write: { -readonly [K in keyof StorageWrite]: StorageWrite[K] } = {}
    if (group.append.length > 0) write.append = group.append
    if (group.remove.length > 0) write.remove = group.remove
    if (group.removeIdentities.length > 0) write.removeIdentities = group.removeIdentities
    if (group.deadLetters.length > 0) write.deadLetters = group.deadLetters
    if (Object.keys(group.state).length > 0) write.state = group.state
    return write
  }

  const pump = async (): Promise<void> => {
    scheduled = false
    const group = groups[0]
    const namespace = options.namespace()
    if (group === undefined || busy || stopped || namespace === null) return
    busy = true
    let result: E.Either<StorageFailure, unknown>
    try {
      result = await namespace.commit(toWrite(group))()
    } catch (error) {
      result = E.left({ kind: 'io', message: String(error) })
    }
    busy = false
    if (E.isRight(result)) {
      groups.shift()
      committedSeq = group.lastSeq
      retryDelay = RETRY_FIRST_MS
      if (isFailing) {
        isFailing = false
        options.onRecovered()
      }
      settleWaiters()
      if (groups.length > 0) schedule()
      return
    }
    // Keep the group; try again later. Items stay in memory meanwhile: nothing is dropped.
    if (!isFailing) options.onFailure(result.left)
    isFailing = true
    if (stopped) return
    retryHandle = options.clock.setTimeout(() => {
      retryHandle = null
      schedule()
    }, retryDelay)
    retryDelay = Math.min(RETRY_MAX_MS, retryDelay * 2)
  }

  return {
    appendItem: (item) => {
      const group = groupForAppend()
      group.append.push(item)
      group.lastSeq = ++seq
      schedule()
    },
    enqueue: (write) => {
      const group = write.append !== undefined && write.append.length > 0 ? groupForAppend() : current()
      if (write.append !== undefined) group.append.push(...write.append)
      if (write.remove !== undefined) group.remove.push(...write.remove)
      if (write.removeIdentities !== undefined) group.removeIdentities.push(...write.removeIdentities)
      if (write.deadLetters !== undefined) group.deadLetters.push(...write.deadLetters)
      if (write.state !== undefined) Object.assign(group.state, write.state)
      group.lastSeq = ++seq
      schedule()
    },
    setState: (key, value) => {
      const group = current()
      group.state[key] = value
      group.lastSeq = ++seq
      schedule()
    },
    drained: () => {
      if (committedSeq >= seq) return Promise.resolve()
      const target = seq
      return new Promise<void>((resolve) => waiters.push({ seq: target, resolve }))
    },
    failing: () => isFailing,
    stop: () => {
      stopped = true
      if (retryHandle !== null) options.clock.clearTimeout(retryHandle)
      retryHandle = null
    },
  }
}
