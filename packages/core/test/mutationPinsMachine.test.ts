// Tests that pin the statechart's own actions exactly, on the machine with IO actors that do
// nothing (as statechartPaths.test.ts drives it): R8's session activity and R12's full-batch
// trigger as counted from tracked items. Each kills mutants the SDK-level tests let live
// (mutation/README.md).
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { resolveConfig, type BatchId, type SessionId } from '@jwt-sync/core'
import { createSyncMachine, idleActor } from '../src/sync/machine.js'
import { baseConfig } from './harness.js'

const START = Date.UTC(2026, 10, 28, 9)

const startMachine = (overrides: Parameters<typeof baseConfig>[0] = {}) => {
  const resolved = resolveConfig(baseConfig(overrides))
  if (E.isLeft(resolved)) throw new Error(resolved.left.message)
  let now = START
  const machine = createSyncMachine({
    now: () => now,
    random: () => 0.5,
    nextSessionId: (() => {
      let n = 0
      return () => `s${++n}` as SessionId
    })(),
    nextBatchId: () => 'b' as BatchId,
    actors: { restore: idleActor<void>(), formBatch: idleActor(), sendBatch: idleActor(), awaitDeletion: idleActor<void>() },
  })
  const actor = createActor(machine, { input: { settings: resolved.right, startedAt: START } })
  actor.start()
  actor.send({ type: 'RESTORED', restored: { identifier: null, session: null, tokens: {}, refusedTokens: {}, pendingByIdentity: {}, deadLetterCount: 0, outbox: [], loggingOut: [] } })
  actor.send({ type: 'RESUME' })
  return { actor, setNow: (at: number) => (now = at) }
}

describe('R8 R12: items tracked, as the statechart counts them', () => {
  it('R12: a full batch of any one identity tracked in a group starts a sync; a group with none full waits for a trigger', () => {
    const full = startMachine({ maxBatchSize: 3 })
    full.actor.send({ type: 'ITEMS_TRACKED', counts: { anon: 3, 'user:u1': 1 }, lastActivityAt: START })
    expect(full.actor.getSnapshot().matches({ running: { sync: { attempt: 'forming' } } })).toBe(true)
    const notFull = startMachine({ maxBatchSize: 3 })
    notFull.actor.send({ type: 'ITEMS_TRACKED', counts: { anon: 2, 'user:u1': 1 }, lastActivityAt: START })
    expect(notFull.actor.getSnapshot().matches({ running: { sync: { rest: 'waitingForTrigger' } } })).toBe(true)
    expect(notFull.actor.getSnapshot().context.pendingByIdentity).toEqual({ anon: 2, 'user:u1': 1 })
  })
  it('R8: tracked items are activity: the last activity of the session moves forward to theirs, never back', () => {
    const { actor } = startMachine()
    actor.send({ type: 'ITEMS_TRACKED', counts: { anon: 1 }, lastActivityAt: START + 10 * 60_000 })
    expect(actor.getSnapshot().context.session.lastActivityAt).toBe(START + 10 * 60_000)
    actor.send({ type: 'ITEMS_TRACKED', counts: { anon: 1 }, lastActivityAt: START + 5 * 60_000 })
    expect(actor.getSnapshot().context.session.lastActivityAt).toBe(START + 10 * 60_000)
    // 35 minutes after the start but 25 after the last tracked item: the same session.
    actor.send({ type: 'ACTIVITY', at: START + 35 * 60_000 })
    expect(actor.getSnapshot().context.session.id).toBe('s1')
    actor.send({ type: 'ACTIVITY', at: START + 66 * 60_000 })
    expect(actor.getSnapshot().context.session.id).toBe('s2')
  })
})

describe('R9: a restored Retry-After deadline', () => {
  const restoredWith = (retryAfterUntil: number | null | undefined) => {
    const resolved = resolveConfig(baseConfig())
    if (E.isLeft(resolved)) throw new Error(resolved.left.message)
    const machine = createSyncMachine({
      now: () => START,
      random: () => 0.5,
      nextSessionId: () => 's1' as SessionId,
      nextBatchId: () => 'b' as BatchId,
      actors: { restore: idleActor<void>(), formBatch: idleActor(), sendBatch: idleActor(), awaitDeletion: idleActor<void>() },
    })
    const actor = createActor(machine, { input: { settings: resolved.right, startedAt: START } })
    actor.start()
    const restored = { identifier: null, session: null, tokens: {}, refusedTokens: {}, pendingByIdentity: {}, deadLetterCount: 0, outbox: [], loggingOut: [] }
    actor.send({ type: 'RESTORED', restored: retryAfterUntil === undefined ? restored : { ...restored, retryAfterUntil } })
    return actor.getSnapshot().context.retry.retryAfterUntil
  }
  it('R9: one still ahead is kept, at most an hour from now; one already passed, or none, restores as none', () => {
    expect(restoredWith(START + 1)).toBe(START + 1)
    expect(restoredWith(START + 60 * 60_000)).toBe(START + 60 * 60_000)
    // A clock set back (or a bad record) cannot silence the SDK for longer than R9's hour.
    expect(restoredWith(START + 5 * 60 * 60_000)).toBe(START + 60 * 60_000)
    expect(restoredWith(START)).toBeNull()
    expect(restoredWith(START - 1)).toBeNull()
    expect(restoredWith(null)).toBeNull()
    expect(restoredWith(undefined)).toBeNull()
  })
})
