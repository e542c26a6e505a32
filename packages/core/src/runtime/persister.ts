import * as E from '../model/either.js'
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
  /** R11: the commit must leave no history of what it removes or overwrites (see `StorageWrite.erase`). */
  erase: boolean
  /** The last enqueue number folded into this group. */
  lastSeq: number
}

const emptyGroup = (): Group => ({ append: [], remove: [], removeIdentities: [], deadLetters: [], state: {}, erase: false, lastSeq: 0 })

const RETRY_FIRST_MS = 1_000
const RETRY_MAX_MS = 30_000

/**
 * How long writes wait while they are held (see `hold`): long enough for a request's answer on a
 * fast network, short enough that an item tracked during a slow request is soon on disk anyway.
 */
export const MAX_HOLD_MS = 100

/**
 * Groups writes (R13): one commit is in flight at a time, everything enqueued meanwhile becomes
 * the next one, and a failed commit is kept and retried (quota, I/O), never dropped.
 * `drained()` resolves once everything enqueued before the call is committed.
 *
 * While the sync loop is busy (a batch being formed, a request in flight) the runtime `hold`s the
 * writes: they wait until the loop needs them durable or comes to rest, at most `MAX_HOLD_MS`.
 * Before a request, `readyForRequest()` waits only for the writes that must precede it (a frozen
 * batch, R14; a refusal count that grew, R8; see `requestDurability.ts`); items, acknowledgements
 * and the like may follow. So while batch n is in flight, one commit (one fsync) carries the
 * acknowledgement of batch n-1, the freeze of batch n+1 and the items tracked meanwhile, and n+1
 * leaves as soon as n is answered. An acknowledgement a crash loses only makes the same frozen
 * batch go again (R14), which the server de-duplicates.
 */
export type Persister = {
  /** Items may follow the next request: R13 holds them to `drained()` (`whenPersisted`). */
  appendItem(item: StoredItem): void
  /** `mayFollowRequest`: the write need not be durable before the next request (default false). */
  enqueue(write: StorageWrite, mayFollowRequest?: boolean): void
  setState(key: string, value: StateValue | null, mayFollowRequest?: boolean): void
  /** Resolves once everything enqueued before the call is committed. */
  drained(): Promise<void>
  /** Resolves once every write that must precede a request, enqueued before the call, is committed. */
  readyForRequest(): Promise<void>
  /** Holds writes (true) while the sync loop is busy; releasing (false) commits what waits. */
  hold(held: boolean): void
  /**
   * The oldest `limit` pending items of one identity as storage will hold them once everything
   * enqueued is committed: stored items less enqueued removals, then enqueued appends. Lets a
   * batch be formed without first committing the previous batch's acknowledgement. `leaveOut`:
   * ids to treat as removed too (a batch just delivered, whose acknowledgement is not enqueued yet).
   */
  peek(identity: IdentityKey, limit: number, leaveOut?: readonly StoredItem[]): Promise<E.Either<StorageFailure, readonly StoredItem[]>>
  /** True while a commit failure is unresolved. */
  failing(): boolean
  stop(): void
}

const notOpen: StorageFailure = { kind: 'closed', message: 'storage is not open' }

export const createPersister = (options: {
  readonly namespace: () => StorageNamespace | null
  readonly clock: Clock
  readonly onFailure: (failure: StorageFailure) => void
  readonly onRecovered: () => void
}): Persister => {
  const groups: Group[] = []
  let seq = 0
  let committedSeq = 0
  /** The last write that must be durable before a request leaves. */
  let requiredSeq = 0
  let busy = false
  let scheduled = false
  let retryHandle: unknown = null
  let retryDelay = RETRY_FIRST_MS
  let isFailing = false
  let stopped = false
  let held = false
  let holdHandle: unknown = null
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

  /** Someone waits in `drained()` for a write that is not committed yet: holding must not delay it. */
  const awaited = (): boolean => waiters.length > 0

  const clearHoldTimer = (): void => {
    if (holdHandle === null) return
    options.clock.clearTimeout(holdHandle)
    holdHandle = null
  }

  const schedule = (): void => {
    if (scheduled || busy || stopped || retryHandle !== null || groups.length === 0) return
    if (held && !awaited()) {
      if (holdHandle === null) {
        holdHandle = options.clock.setTimeout(() => {
          holdHandle = null
          held = false
          schedule()
        }, MAX_HOLD_MS)
      }
      return
    }
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
    if (group.erase) write.erase = true
    return write
  }

  const pump = async (): Promise<void> => {
    scheduled = false
    const group = groups[0]
    const namespace = options.namespace()
    if (group === undefined || busy || stopped || namespace === null) return
    // Scheduled before the loop got busy: the writes now wait with the others.
    if (held && !awaited()) return schedule()
    clearHoldTimer()
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
      schedule()
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

  const peek = async (identity: IdentityKey, limit: number, leaveOut: readonly StoredItem[] = []): Promise<E.Either<StorageFailure, readonly StoredItem[]>> => {
    const namespace = options.namespace()
    if (namespace === null) return E.left(notOpen)
    // An R11 deletion of this identity waits in a group: let it land rather than reason around it.
    if (groups.some((group) => group.removeIdentities.includes(identity))) await drained()
    const queued = groups.slice()
    const removed = new Set<string>()
    for (const item of leaveOut) removed.add(item.id)
    for (const group of queued) for (const id of group.remove) removed.add(id)
    const committedBefore = committedSeq
    const busyBefore = busy
    // The port promises not to reject; a driver that does anyway fails this read, not the loop.
    const stored = await namespace.peek(identity, limit + removed.size)().catch((error: unknown) => E.left<StorageFailure, readonly StoredItem[]>({ kind: 'io', message: String(error) }))
    if (E.isLeft(stored)) return stored
    // Groups enqueued while storage was read count too; a group being committed (or committed
    // meanwhile) may show in both places, so then items are taken once, by id, in commit order
    // (storage first).
    for (const group of groups) if (!queued.includes(group)) queued.push(group)
    for (const group of queued) for (const id of group.remove) removed.add(id)
    const items: StoredItem[] = []
    const taken = busyBefore || busy || committedSeq !== committedBefore ? new Set<string>() : null
    const take = (item: StoredItem): void => {
      if (removed.has(item.id) || taken?.has(item.id) === true) return
      items.push(item)
      taken?.add(item.id)
    }
    for (const item of stored.right) if (items.length < limit) take(item)
    // Appends queued during a long request can be many: stop as soon as the batch is full.
    for (let g = 0; g < queued.length && items.length < limit; g++) {
      const appended = queued[g]?.append ?? []
      for (let i = 0; i < appended.length && items.length < limit; i++) {
        const item = appended[i]
        if (item !== undefined && item.identity === identity) take(item)
      }
    }
    return E.right(items)
  }

  const committedThrough = (target: number): Promise<void> => {
    if (committedSeq >= target) return Promise.resolve()
    const done = new Promise<void>((resolve) => waiters.push({ seq: target, resolve }))
    schedule()
    return done
  }
  const drained = (): Promise<void> => committedThrough(seq)

  /** Numbers a write; one that must precede the next request moves the request's mark. */
  const numbered = (mayFollowRequest: boolean): number => {
    seq += 1
    if (!mayFollowRequest) requiredSeq = seq
    return seq
  }

  return {
    appendItem: (item) => {
      const group = groupForAppend()
      group.append.push(item)
      group.lastSeq = numbered(true)
      schedule()
    },
    enqueue: (write, mayFollowRequest = false) => {
      const group = write.append !== undefined && write.append.length > 0 ? groupForAppend() : current()
      if (write.append !== undefined) group.append.push(...write.append)
      if (write.remove !== undefined) group.remove.push(...write.remove)
      if (write.removeIdentities !== undefined) group.removeIdentities.push(...write.removeIdentities)
      if (write.deadLetters !== undefined) group.deadLetters.push(...write.deadLetters)
      if (write.state !== undefined) Object.assign(group.state, write.state)
      if (write.erase === true) group.erase = true
      group.lastSeq = numbered(mayFollowRequest)
      schedule()
    },
    setState: (key, value, mayFollowRequest = false) => {
      const group = current()
      group.state[key] = value
      group.lastSeq = numbered(mayFollowRequest)
      schedule()
    },
    drained,
    readyForRequest: () => committedThrough(requiredSeq),
    hold: (next) => {
      if (held === next) return
      held = next
      if (!held) {
        clearHoldTimer()
        schedule()
      }
    },
    peek,
    failing: () => isFailing,
    stop: () => {
      stopped = true
      if (retryHandle !== null) options.clock.clearTimeout(retryHandle)
      retryHandle = null
      clearHoldTimer()
    },
  }
}
