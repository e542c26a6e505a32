import * as E from '@jwt-sync/core/either'
import {
  StoredItemCodec,
  type CommitResult,
  type DeadLetter,
  type IdentityKey,
  type StateValue,
  type StorageSnapshot,
  type StorageWrite,
  type StoredItem,
} from '@jwt-sync/core'
import type { CommitRecord } from './commitRecord.js'

/** A pending item and the bytes it takes in the log (for the compaction decision). */
type Entry = { item: StoredItem; readonly bytes: number; removed: boolean; checked: boolean }

/**
 * One identity's pending items, oldest first. A removal leaves a hole the head skips, so
 * acknowledging a batch at the front costs O(batch), not O(queue) (R13).
 */
class IdentityQueue {
  private entries: Entry[] = []
  private head = 0
  size = 0

  push(entry: Entry): void {
    this.entries.push(entry)
    this.size++
  }

  /** Live entries from the front; `accept` may refuse (and drop) one. */
  take(limit: number, accept: (entry: Entry) => boolean): StoredItem[] {
    const out: StoredItem[] = []
    for (let i = this.head; i < this.entries.length && out.length < limit; i++) {
      const entry = this.entries[i]
      if (entry !== undefined && !entry.removed && accept(entry)) out.push(entry.item)
    }
    this.advance()
    return out
  }

  *live(): Generator<Entry> {
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]
      if (entry !== undefined && !entry.removed) yield entry
    }
  }

  /** Moves the head past removed entries and drops the dead prefix once it is large. */
  advance(): void {
    while (this.head < this.entries.length && this.entries[this.head]?.removed === true) this.head++
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.head = 0
    }
  }
}

const byteLengthOf = (value: unknown): number => JSON.stringify(value).length

/**
 * The in-memory picture of one namespace that every durable driver keeps next to its log: the
 * pending items per identity (so `peek` never touches the medium), an id index (so removals cost
 * O(ids)), dead letters, state, and how many of the log's bytes are still live (so the driver
 * knows when acknowledged bytes dominate and a compaction pays off). Drivers stay thin: they
 * store `CommitRecord`s and replay them here.
 *
 * @example
 * ```ts
 * const index = new NamespaceIndex()
 * index.apply(record, payloadBytes)
 * index.peek('anon' as IdentityKey, 100)
 * ```
 */
export class NamespaceIndex {
  private readonly queues = new Map<IdentityKey, IdentityQueue>()
  private readonly byId = new Map<string, Entry>()
  private readonly deadLetters: DeadLetter[] = []
  private readonly state = new Map<string, { readonly value: StateValue; readonly bytes: number }>()
  private pendingBytes = 0
  private otherBytes = 0
  /** Records (or items) the driver could not use: damaged, of a future version, or malformed. */
  skippedRecords = 0

  /** Bytes the live data takes when written out again; what a compaction would keep. */
  get liveBytes(): number {
    return this.pendingBytes + this.otherBytes
  }

  private queueOf(identity: IdentityKey): IdentityQueue {
    let queue = this.queues.get(identity)
    if (queue === undefined) {
      queue = new IdentityQueue()
      this.queues.set(identity, queue)
    }
    return queue
  }

  private drop(entry: Entry): void {
    entry.removed = true
    this.byId.delete(entry.item.id)
    this.pendingBytes -= entry.bytes
    const queue = this.queues.get(entry.item.identity)
    if (queue !== undefined) {
      queue.size--
      if (queue.size === 0) this.queues.delete(entry.item.identity)
    }
  }

  /**
   * Turns a port write into the record to log: ids neither pending nor appended in the same write
   * are left out (they change nothing), so an acknowledgement record stays small.
   */
  recordOf(write: StorageWrite): CommitRecord {
    const appended = new Set<string>((write.append ?? []).map((item) => item.id))
    const remove = (write.remove ?? []).filter((id) => this.byId.has(id) || appended.has(id))
    const record: { -readonly [K in keyof CommitRecord]: CommitRecord[K] } = {}
    if (write.append !== undefined && write.append.length > 0) record.a = write.append
    if (remove.length > 0) record.r = remove
    if (write.removeIdentities !== undefined && write.removeIdentities.length > 0) record.ri = write.removeIdentities
    if (write.deadLetters !== undefined && write.deadLetters.length > 0) record.d = write.deadLetters
    if (write.state !== undefined && Object.keys(write.state).length > 0) record.s = write.state
    return record
  }

  /**
   * Applies one record in the port's order: append, remove, removeIdentities, deadLetters,
   * state. `bytesPerItem` is the record's payload size shared among its items and dead letters.
   * Items come from the driver's own log; `checked` says whether they were already fully decoded.
   */
  apply(record: CommitRecord, bytesPerItem: number, checked: boolean): CommitResult {
    // A restart replays every record through here: 100,000 items must cost little more than parsing them.
    let queue: IdentityQueue | undefined
    let queueIdentity: IdentityKey | undefined
    for (const item of record.a ?? []) {
      // Ids are unique (R14); a repeated id is the same item logged twice and is kept once.
      if (this.byId.has(item.id)) continue
      const entry: Entry = { item, bytes: bytesPerItem, removed: false, checked }
      this.byId.set(item.id, entry)
      // The items of a record are mostly one identity's: look its queue up once.
      if (queue === undefined || item.identity !== queueIdentity) {
        queueIdentity = item.identity
        queue = this.queueOf(item.identity)
      }
      queue.push(entry)
      this.pendingBytes += bytesPerItem
    }
    if (record.r !== undefined && record.r.length > 0) {
      const touched = new Set<IdentityKey>()
      for (const id of record.r) {
        const entry = this.byId.get(id)
        if (entry === undefined) continue
        touched.add(entry.item.identity)
        this.drop(entry)
      }
      for (const identity of touched) this.queues.get(identity)?.advance()
    }
    const removedByIdentity: Record<string, number> = {}
    for (const identity of record.ri ?? []) {
      const queue = this.queues.get(identity)
      removedByIdentity[identity] = queue?.size ?? 0
      if (queue === undefined) continue
      for (const entry of [...queue.live()]) this.drop(entry)
      this.queues.delete(identity)
    }
    for (const letter of record.d ?? []) {
      this.deadLetters.push(letter)
      this.otherBytes += bytesPerItem
    }
    for (const [key, value] of Object.entries(record.s ?? {})) {
      const previous = this.state.get(key)
      if (previous !== undefined) this.otherBytes -= previous.bytes
      if (value === null) {
        this.state.delete(key)
      } else {
        const bytes = byteLengthOf(value) + key.length
        this.state.set(key, { value, bytes })
        this.otherBytes += bytes
      }
    }
    return { removedByIdentity }
  }

  /**
   * The oldest `limit` pending items of an identity. Each is decoded in full (io-ts) the first
   * time it is handed out; one that fails is dropped and counted in `skippedRecords`.
   */
  peek(identity: IdentityKey, limit: number): StoredItem[] {
    const queue = this.queues.get(identity)
    if (queue === undefined || limit <= 0) return []
    const out = queue.take(limit, (entry) => {
      if (entry.checked) return true
      const decoded = StoredItemCodec.decode(entry.item)
      if (E.isLeft(decoded)) {
        this.drop(entry)
        this.skippedRecords++
        return false
      }
      entry.item = decoded.right
      entry.checked = true
      return true
    })
    return out
  }

  readDeadLetters(limit: number): DeadLetter[] {
    return this.deadLetters.slice(0, Math.max(0, limit))
  }

  snapshot(): StorageSnapshot {
    const pendingByIdentity: Record<string, number> = {}
    for (const [identity, queue] of this.queues) if (queue.size > 0) pendingByIdentity[identity] = queue.size
    return {
      pendingByIdentity,
      deadLetterCount: this.deadLetters.length,
      state: Object.fromEntries([...this.state].map(([key, { value }]) => [key, value])),
      skippedRecords: this.skippedRecords,
    }
  }

  /**
   * The live data as records, for a compaction: state first, then dead letters, then each
   * identity's pending items in order, at most `itemsPerRecord` per record.
   */
  *compactedRecords(itemsPerRecord: number): Generator<CommitRecord> {
    if (this.state.size > 0) yield { s: Object.fromEntries([...this.state].map(([key, { value }]) => [key, value])) }
    for (let i = 0; i < this.deadLetters.length; i += itemsPerRecord) yield { d: this.deadLetters.slice(i, i + itemsPerRecord) }
    for (const queue of this.queues.values()) {
      let chunk: StoredItem[] = []
      for (const entry of queue.live()) {
        chunk.push(entry.item)
        if (chunk.length === itemsPerRecord) {
          yield { a: chunk }
          chunk = []
        }
      }
      if (chunk.length > 0) yield { a: chunk }
    }
  }

  /** Items plus dead letters a record carries, to share its bytes among them. */
  static weightOf(record: CommitRecord): number {
    return Math.max(1, (record.a?.length ?? 0) + (record.d?.length ?? 0))
  }
}
