// Path-based tests generated with xstate/graph: the shortest event sequence to every state of the
// chart, found on the pure machine (no IO), then replayed on a live actor that must land there.
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createActor, type SnapshotFrom } from 'xstate'
import { getShortestPaths } from 'xstate/graph'
import { resolveConfig, type BatchId, type IdentityKey, type Identifier, type ItemId, type SessionId, type StoredItem } from '@jwt-sync/core'
import type { SyncEvent } from '../src/sync/events.js'
import { createSyncMachine, idleActor } from '../src/sync/machine.js'
import { listStates } from '../src/sync/statechartGraph.js'
import { baseConfig, makeToken } from './harness.js'

// As describeSyncMachine, but with jitter: a zero random source would make every backoff zero.
const machine = createSyncMachine({
  now: () => 0,
  random: () => 0.5,
  nextSessionId: () => 's-paths' as SessionId,
  nextBatchId: () => 'b-paths' as BatchId,
  actors: { restore: idleActor<void>(), formBatch: idleActor(), sendBatch: idleActor(), awaitDeletion: idleActor<void>() },
})
type Snapshot = SnapshotFrom<typeof machine>
const U1 = 'u1' as Identifier
const USER_KEY = 'user:u1' as IdentityKey

const inputFor = (jwt: boolean) => {
  const resolved = resolveConfig(baseConfig({}, jwt))
  if (E.isLeft(resolved)) throw new Error(resolved.left.message)
  return { settings: resolved.right, startedAt: 0 }
}

const stub = (identity: IdentityKey): StoredItem =>
  ({ id: `i-${identity}` as ItemId, identity, timestamp: 0, sessionId: 's' as SessionId, type: 'event', name: 'e', attributes: {} }) as StoredItem

/** A token for u1 that is new each time (nonce from how many were refused), valid at `at`. */
const freshToken = (snapshot: Snapshot, exp: number): string =>
  makeToken({ sub: 'u1', exp, nonce: `n${snapshot.context.refusedTokens[U1]?.length ?? 0}` })

/** The events that make sense in a snapshot: commands always, IO answers for the plan in force. */
const eventsFor = (snapshot: Snapshot): SyncEvent[] => {
  const events: SyncEvent[] = [
    { type: 'RESTORED', restored: { identifier: null, session: null, tokens: {}, refusedTokens: {}, pendingByIdentity: {}, deadLetterCount: 0, outbox: [], loggingOut: [] } },
    { type: 'RESUME' },
    { type: 'IDENTIFY', identifier: U1, at: 0 },
    { type: 'LOGOUT', at: 0 },
    { type: 'FLUSH' },
    { type: 'ITEMS_TRACKED', counts: { [USER_KEY]: 1 }, lastActivityAt: 0 },
    { type: 'TOKEN_PASSED', identifier: U1, token: freshToken(snapshot, 10_000), at: 0 },
    // Valid when passed, expired by the time the loop decides (the machine's clock reads 0).
    { type: 'TOKEN_PASSED', identifier: U1, token: freshToken(snapshot, -5_000), at: -10_000_000 },
    { type: 'TOKEN_PASSED', identifier: U1, token: 'not-a-jwt', at: 0 },
    { type: 'BACKGROUND' },
    { type: 'FOREGROUND', at: 0 },
    { type: 'SHUTDOWN' },
  ]
  const plan = snapshot.context.plan
  if (plan.kind === 'form') {
    events.push({ type: 'BATCH_FORMED', identity: plan.identity, items: [stub(plan.identity)] }, { type: 'BATCH_FORM_FAILED', reason: 'disk read error' })
  }
  if (plan.kind === 'send') {
    const sent = { type: 'BATCH_SENT' as const, batch: plan.batch, token: plan.token }
    events.push(
      { ...sent, outcome: { kind: 'delivered', status: 200 } },
      { ...sent, outcome: { kind: 'auth-failed', code: 'INVALID_SIGNATURE', numericCode: 4003, message: 'bad signature' } },
      { ...sent, outcome: { kind: 'transient', reason: '503', retryAfterMs: null } },
      { ...sent, outcome: { kind: 'transient', reason: '429', retryAfterMs: 60_000 } },
    )
  }
  if (plan.kind === 'delete') events.push({ type: 'ITEMS_DELETED' })
  return events
}

/** The control state a path search tells apart: the state value and the data that drives it. */
const controlState = (snapshot: Snapshot): string => {
  const c = snapshot.context
  return JSON.stringify([
    snapshot.value,
    c.session.consecutiveAuthFailures,
    c.identifier,
    Object.entries(c.pendingByIdentity).filter(([, n]) => n > 0).map(([identity]) => identity),
    c.outbox.length,
    c.loggingOut,
    c.plan.kind,
    Object.values(c.tokens).map((record) => record.status),
    c.retry.backoffUntil !== null,
    c.retry.retryAfterUntil !== null,
  ])
}

/** Every state node id a snapshot value stands for, ancestors included. */
const statesOf = (value: unknown, prefix = 'jwtSync'): string[] => {
  if (typeof value === 'string') return [prefix, `${prefix}.${value}`]
  if (typeof value !== 'object' || value === null) return [prefix]
  return [prefix, ...Object.entries(value).flatMap(([key, child]) => statesOf(child, `${prefix}.${key}`))]
}

const shortestPaths = (jwt: boolean) =>
  getShortestPaths(machine, { input: inputFor(jwt), events: eventsFor, serializeState: controlState, limit: 50_000 })

describe('statechart paths (xstate/graph)', () => {
  const signed = shortestPaths(true)
  const paths = [...signed, ...shortestPaths(false)]

  it('R19: a shortest path reaches every state of the chart', () => {
    const reached = new Set(paths.flatMap((path) => statesOf(path.state.value)))
    // Transient states (deciding, checkingToken) are left in the same macrostep: no snapshot rests there.
    const transient = ['jwtSync.running.sync.deciding', 'jwtSync.running.auth.identified.checkingToken']
    expect(listStates(machine).filter((id) => !reached.has(id) && !transient.includes(id))).toEqual([])
  })

  it('R19: replayed on a live actor, the shortest path to each state lands in that state', () => {
    const byTarget = new Map<string, (typeof paths)[number]>()
    for (const path of paths) {
      for (const id of statesOf(path.state.value)) {
        const known = byTarget.get(id)
        if (known === undefined || path.steps.length < known.steps.length) byTarget.set(id, path)
      }
    }
    for (const [id, path] of byTarget) {
      const actor = createActor(machine, { input: inputFor(path.state.context.settings.isJwtEnabled) })
      actor.start()
      for (const step of path.steps) actor.send(step.event)
      const landed = actor.getSnapshot()
      expect(landed.value, `path to ${id}: ${path.steps.map((step) => step.event.type).join(' → ')}`).toEqual(path.state.value)
      expect(statesOf(landed.value)).toContain(id)
      actor.stop()
    }
    expect(byTarget.size).toBeGreaterThan(30)
  })

  it('R8/S2: the shortest way into session.suspended is ten refused tokens, each one new', () => {
    const toSuspended = signed
      .filter((path) => statesOf(path.state.value).includes('jwtSync.running.session.suspended'))
      .sort((a, b) => a.steps.length - b.steps.length)[0]
    const refusals = toSuspended?.steps.filter((step) => step.event.type === 'BATCH_SENT' && step.event.outcome.kind === 'auth-failed') ?? []
    expect(refusals).toHaveLength(10)
    expect(new Set(refusals.map((step) => (step.event.type === 'BATCH_SENT' ? step.event.token : null))).size).toBe(10)
  })
})
