import type { Actor } from 'xstate'
import { identityKeyOf, type Identifier, type IdentityKey } from '../model/identity.js'
import type { AttributeValue, Attributes, ItemId, StoredItem } from '../model/item.js'
import type { Persister } from '../runtime/persister.js'
import type { SyncEvent, TrackedItems } from '../sync/events.js'
import type { SyncMachine } from '../sync/machine.js'
import { isSessionOver } from '../sync/session.js'
import type { UncountedItems } from './stateView.js'

/** What `track` and `setUserAttribute` queue. */
export type ItemBody = { type: 'event'; name: string; attributes: Attributes } | { type: 'user_attribute'; name: string; value: AttributeValue }

/**
 * The hot path. Items are stamped here and counted into the statechart once per tick (one event
 * per group, not per item), so tracking costs the same with 10 or 10 million items pending (R13).
 * While the sync loop is busy (forming or sending a batch) the tick's count waits and goes with the
 * event that ends the step (`takeTracked`): the loop decides again then anyway, and an event of
 * its own would cost a whole statechart step per tick. Every other command goes through `send`,
 * after the tracked items it follows.
 *
 * @example
 * ```ts
 * const tracking = createTracking({ actor, persister, inactivityTimeoutMs, run: commands.run, isReady: commands.isReady })
 * tracking.track({ type: 'event', name: 'Opened', attributes: {} }, id, Date.now())
 * tracking.send({ type: 'FLUSH' })
 * ```
 */
export const createTracking = (deps: {
  readonly actor: Actor<SyncMachine>
  readonly persister: Persister
  readonly inactivityTimeoutMs: number
  readonly run: (command: () => void) => void
  /** The restore finished: `run` would run a command at once. */
  readonly isReady: () => boolean
}) => {
  const { actor, persister } = deps
  let trackedCounts: Record<string, number> = {}
  let trackedLastActivity = 0
  let groupScheduled = false
  /** Tracked before the restore finished: not stamped yet, so their identity is not known. */
  let unstamped = 0
  let lastIdentifier: Identifier | null = null
  let lastIdentity: IdentityKey = identityKeyOf(null)

  const takeTracked = (): TrackedItems | undefined => {
    if (Object.keys(trackedCounts).length === 0) return undefined
    const counts = trackedCounts
    trackedCounts = {}
    return { counts, lastActivityAt: trackedLastActivity }
  }

  /** Counts what was tracked into the statechart now: before any command, so it follows them. */
  const sendTrackedGroup = (): void => {
    groupScheduled = false
    const tracked = takeTracked()
    if (tracked !== undefined) actor.send({ type: 'ITEMS_TRACKED', ...tracked })
  }

  /** The end of a tick: count now when the loop rests; while it is busy, its next event takes them. */
  const endOfTick = (): void => {
    groupScheduled = false
    if (actor.getSnapshot().context.plan.kind === 'rest') sendTrackedGroup()
  }

  const send = (event: SyncEvent): void => {
    sendTrackedGroup()
    actor.send(event)
  }

  const stamp = (at: number, body: ItemBody, id: ItemId): void => {
    let context = actor.getSnapshot().context
    const lastActivity = Math.max(context.session.lastActivityAt, trackedLastActivity)
    if (isSessionOver(lastActivity, at, deps.inactivityTimeoutMs)) {
      send({ type: 'ACTIVITY', at })
      context = actor.getSnapshot().context
    }
    trackedLastActivity = Math.max(trackedLastActivity, at)
    // The key of the same identifier as the last item's: no new string per item.
    if (context.identifier !== lastIdentifier) {
      lastIdentifier = context.identifier
      lastIdentity = identityKeyOf(context.identifier)
    }
    const identity = lastIdentity
    const sessionId = context.session.id
    // Written out, not spread: the hot path, and every item gets the same shape.
    const item: StoredItem =
      body.type === 'event'
        ? { id, identity, timestamp: at, sessionId, type: 'event', name: body.name, attributes: body.attributes }
        : { id, identity, timestamp: at, sessionId, type: 'user_attribute', name: body.name, value: body.value }
    persister.appendItem(item)
    trackedCounts[identity] = (trackedCounts[identity] ?? 0) + 1
    if (!groupScheduled) {
      groupScheduled = true
      void Promise.resolve().then(endOfTick)
    }
  }

  return {
    send,
    sendTrackedGroup,
    takeTracked,
    /** Queues an item made at `at`; stamped now, or once the restore finished. */
    track(body: ItemBody, id: ItemId, at: number): void {
      if (deps.isReady()) return stamp(at, body, id)
      unstamped++
      deps.run(() => {
        unstamped--
        stamp(at, body, id)
      })
    },
    uncounted: (): UncountedItems => ({ byIdentity: trackedCounts, unstamped }),
  }
}
