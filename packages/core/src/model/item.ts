import * as t from 'io-ts'
import type { IdentityKey } from './identity.js'

/**
 * Unique id of a tracked item; it never changes, across retries and restarts (R14).
 *
 * @example
 * ```ts
 * const tracked = sdk.track('Opened app')
 * if (E.isRight(tracked)) console.log(tracked.right.id) // an ItemId, stable across retries
 * ```
 */
export type ItemId = string & { readonly __brand: 'ItemId' }
/**
 * Unique id of a batch; a resent batch keeps it (R14).
 *
 * @example
 * ```ts
 * const nextBatchId = (): BatchId => crypto.randomUUID() as BatchId
 * ```
 */
export type BatchId = string & { readonly __brand: 'BatchId' }
/**
 * Id of a session (docs/rules.md, Terms).
 *
 * @example
 * ```ts
 * const nextSessionId = (): SessionId => crypto.randomUUID() as SessionId
 * ```
 */
export type SessionId = string & { readonly __brand: 'SessionId' }

/**
 * JSON value accepted as an attribute (R17): no undefined, no NaN, no class instances.
 *
 * @example
 * ```ts
 * const plan: AttributeValue = { tier: 'pro', seats: 5, trial: false }
 * sdk.setUserAttribute('plan', plan)
 * ```
 */
export type AttributeValue =
  | null
  | boolean
  | number
  | string
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue }

/**
 * An event's attributes: a plain object of JSON data (R17).
 *
 * @example
 * ```ts
 * const attributes: Attributes = { sku: 'A1', price: 9.5, tags: ['sale'] }
 * ```
 */
export type Attributes = { readonly [key: string]: AttributeValue }

/**
 * An item as the queue stores it: the wire item of docs/wire-protocol.md plus the identity it was
 * stamped with. The stamp (id, timestamp, session, identity) never changes.
 *
 * @example
 * ```ts
 * const item: StoredItem = { id: 'i1' as ItemId, identity: ANONYMOUS, type: 'event', name: 'Opened app',
 *   attributes: {}, timestamp: Date.now(), sessionId: 's1' as SessionId }
 * ```
 */
export type StoredItem =
  | {
      readonly id: ItemId
      readonly identity: IdentityKey
      readonly type: 'event'
      readonly name: string
      readonly attributes: Attributes
      readonly timestamp: number
      readonly sessionId: SessionId
    }
  | {
      readonly id: ItemId
      readonly identity: IdentityKey
      readonly type: 'user_attribute'
      readonly name: string
      readonly value: AttributeValue
      readonly timestamp: number
      readonly sessionId: SessionId
    }

export const AttributeValueCodec: t.Type<AttributeValue, unknown, unknown> = t.recursion('AttributeValue', () =>
  t.union([t.null, t.boolean, t.number, t.string, t.readonlyArray(AttributeValueCodec), t.record(t.string, AttributeValueCodec)]),
)

const stamp = {
  id: t.string,
  identity: t.string,
  name: t.string,
  timestamp: t.number,
  sessionId: t.string,
}

/**
 * Codec for a stored item, used by drivers when they read records back (storage boundary).
 *
 * @example
 * ```ts
 * StoredItemCodec.decode(JSON.parse(record))
 * ```
 */
export const StoredItemCodec = t.union([
  t.type({ ...stamp, type: t.literal('event'), attributes: t.record(t.string, AttributeValueCodec) }),
  t.type({ ...stamp, type: t.literal('user_attribute'), value: AttributeValueCodec }),
]) as unknown as t.Type<StoredItem, unknown, unknown>

/**
 * An item given up on after a permanent rejection (R10), with the reason the server gave.
 *
 * @example
 * ```ts
 * const letters = await namespace.readDeadLetters(50)()
 * if (E.isRight(letters)) for (const letter of letters.right) console.warn(letter.item.id, letter.status, letter.reason)
 * ```
 */
export type DeadLetter = {
  readonly item: StoredItem
  readonly status: number
  readonly reason: string
  readonly at: number
}

/**
 * Codec for a dead letter, used by drivers when they read records back.
 *
 * @example
 * ```ts
 * DeadLetterCodec.decode(JSON.parse(record))
 * ```
 */
export const DeadLetterCodec = t.type({
  item: StoredItemCodec,
  status: t.number,
  reason: t.string,
  at: t.number,
}) as unknown as t.Type<DeadLetter, unknown, unknown>
