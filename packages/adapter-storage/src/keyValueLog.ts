import * as E from '@jwt-sync/core/either'
import * as t from 'io-ts'
import type { StorageFailure } from '@jwt-sync/core'
import { callStore, readKeys, removeKeys, writeKeys, type KeyValueStore } from './keyValueStore.js'
import { webFailure, type WebLog } from './webLog.js'

/**
 * A namespace's log in a key-value store: the web storage's log (`WebLog`), plus reading and
 * rewriting one record in place, which the key-value storage uses to take superseded state
 * values (a user's old tokens, R11) out of earlier records.
 *
 * @example
 * ```ts
 * const seq = log.size() - 1
 * const text = await log.readAt(seq)
 * ```
 */
export type KeyValueLog = WebLog & {
  /** How many records the live generation holds (the next record's sequence number). */
  readonly size: () => number
  /** One record's text, by sequence number (null when missing). */
  readonly readAt: (seq: number) => Promise<E.Either<StorageFailure, string | null>>
  /** Replaces one record with an equivalent text, as one atomic `setItem`. */
  readonly rewrite: (seq: number, text: string) => Promise<E.Either<StorageFailure, void>>
}

/** Some keys of one generation: `<name>:<generation>:0` to `count - 1`. */
const KeyRangeCodec = t.type({ generation: t.number, count: t.number })

/**
 * The head key of a namespace: which generation of record keys is live, and the journal of a
 * compaction in progress. Every change of it is one `setItem`, the only atomic write a
 * key-value store promises, so it is the commit point of a compaction.
 * - `compacting`: a new generation is being written; it is not live. Found at open: a crash
 *   mid-compaction; its keys are removed.
 * - `retired`: the previous generation, no longer live but not yet removed. Found at open: a
 *   crash after the switch; its keys are removed.
 */
const HeadCodec = t.intersection([
  t.type({ v: t.literal(1), generation: t.number }),
  t.partial({ compacting: KeyRangeCodec, retired: KeyRangeCodec }),
])
type Head = t.TypeOf<typeof HeadCodec>

/** Records read per round trip while looking for the end of the log. */
const PROBE = 64

/**
 * A namespace's log in a key-value store (AsyncStorage, MMKV): one key per commit record, so a
 * commit is one `setItem` of the size of the write and never rewrites the queue (R13).
 *
 * Keys, under `name` (`<prefix>:<namespace>`):
 * - `<name>:head` — `{"v":1,"generation":g}` (see `HeadCodec`);
 * - `<name>:<g>:<seq>` — record `seq` (0, 1, 2, ...) of generation `g`; the log is every record
 *   from 0 up to the first missing key.
 *
 * A compaction writes the live data as generation `g + 1` (announced in the head first), switches
 * the head to it in one `setItem`, then removes generation `g`. A crash at any point leaves either
 * the old or the new generation live, never both, so no item is lost or read twice; the next
 * open removes the leftovers the head names. A record write that fails leaves `next` where it was:
 * the next commit overwrites that key.
 *
 * @example
 * ```ts
 * const log = await openKeyValueLog(store, 'jwt-sync:my-app')
 * if (E.isRight(log)) await log.right.append('{"v":1,"r":{}}')
 * ```
 */
export const openKeyValueLog = async (store: KeyValueStore, name: string): Promise<E.Either<StorageFailure, KeyValueLog>> => {
  const headKey = `${name}:head`
  const keyOf = (generation: number, seq: number): string => `${name}:${generation}:${seq}`
  const keysOf = (generation: number, count: number): string[] => Array.from({ length: count }, (_, seq) => keyOf(generation, seq))
  const writeHead = (head: Head): Promise<void> => callStore(() => store.setItem(headKey, JSON.stringify(head)))

  let head: Head
  try {
    const text = (await callStore(() => store.getItem(headKey))) ?? null
    if (text === null) {
      head = { v: 1, generation: 0 }
    } else {
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = undefined
      }
      const decoded = HeadCodec.decode(parsed)
      if (E.isLeft(decoded)) return E.left({ kind: 'corrupt', message: `${headKey} is not a log head: ${text.slice(0, 80)}` })
      head = decoded.right
    }
    // Leftovers of a compaction a crash interrupted (see HeadCodec).
    if (head.compacting !== undefined) {
      await removeKeys(store, keysOf(head.compacting.generation, head.compacting.count))
      head = { v: 1, generation: head.generation }
      await writeHead(head)
    }
    if (head.retired !== undefined) {
      await removeKeys(store, keysOf(head.retired.generation, head.retired.count))
      head = { v: 1, generation: head.generation }
      await writeHead(head)
    }
  } catch (error) {
    return E.left(webFailure(`cannot open ${name} in the key-value store`, error))
  }

  let generation = head.generation
  let next = 0
  /** The last generation a compaction wrote to: a failed attempt's keys are never reused, so never read. */
  let lastTarget = generation
  /** Set when the head's state is unknown (a failed switch that could not be read back): writing on could lose data. */
  let broken: string | null = null

  const attempt = async <A>(what: string, run: () => Promise<A>): Promise<E.Either<StorageFailure, A>> => {
    if (broken !== null) return E.left({ kind: 'io', message: broken })
    try {
      return E.right(await run())
    } catch (error) {
      return E.left(webFailure(what, error))
    }
  }

  return E.right({
    read: () =>
      attempt(`cannot read ${name}`, async () => {
        const texts: string[] = []
        for (let end = false; !end; ) {
          const values = await readKeys(store, Array.from({ length: PROBE }, (_, i) => keyOf(generation, texts.length + i)))
          for (const value of values) {
            if (value === null) {
              end = true
              break
            }
            texts.push(value)
          }
        }
        next = texts.length
        return texts
      }),

    append: (text) =>
      attempt(`cannot write ${name}`, async () => {
        await callStore(() => store.setItem(keyOf(generation, next), text))
        next++
      }),

    replace: (texts) =>
      attempt(`cannot compact ${name}`, async () => {
        const target = ++lastTarget
        const written = keysOf(target, texts.length)
        await writeHead({ v: 1, generation, compacting: { generation: target, count: texts.length } })
        try {
          await writeKeys(store, texts.map((text, seq) => [keyOf(target, seq), text] as const))
          await writeHead({ v: 1, generation: target, retired: { generation, count: next } })
        } catch (error) {
          // Did the switch happen? Only the head can tell.
          const now = await callStore(() => store.getItem(headKey)).then(
            (text) => (text === null || text === undefined ? null : HeadCodec.decode(JSON.parse(text))),
            () => null,
          )
          if (now === null || E.isLeft(now)) {
            broken = `the head of ${name} is in an unknown state after a failed compaction; reopen the namespace`
            throw error
          }
          if (now.right.generation !== target) {
            await removeKeys(store, written).catch(() => undefined) // the next open removes them otherwise
            await writeHead({ v: 1, generation }).catch(() => undefined)
            throw error
          }
        }
        const retired = keysOf(generation, next)
        generation = target
        next = texts.length
        // Cleanup; a failure here leaves the head naming what the next open removes.
        try {
          await removeKeys(store, retired)
          await writeHead({ v: 1, generation })
        } catch {
          // left for the next open
        }
      }),

    size: () => next,

    readAt: (seq) => attempt(`cannot read ${name}`, async () => (await callStore(() => store.getItem(keyOf(generation, seq)))) ?? null),

    rewrite: (seq, text) =>
      attempt(`cannot write ${name}`, async () => {
        if (seq >= next) throw new Error(`record ${seq} of ${name} does not exist`)
        await callStore(() => store.setItem(keyOf(generation, seq), text))
      }),

    close: () => undefined,
  })
}
