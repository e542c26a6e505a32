// Path coverage: every state and every transition of the statechart is reached by some run.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { InspectionEvent } from 'xstate'
import { createManualClock, createSdk } from '@jwt-sync/core'
import { describeSyncMachine, listStates, listTransitions, transitionKey } from '../src/sync/statechartGraph.js'
import { START, baseConfig, createScriptedServer, settle, startHarness, storageWith, validToken } from './harness.js'
import { runModel, stepArbitrary } from './modelBased.js'

const taken = new Set<string>()
const visited = new Set<string>()
const record = (event: InspectionEvent): void => {
  if (event.type === '@xstate.microstep') for (const transition of event._transitions) taken.add(transitionKey(transition))
  // Microstep snapshots include transient states such as `deciding`, which no resting snapshot shows.
  if (event.type === '@xstate.snapshot' || event.type === '@xstate.microstep') {
    for (const id of statesOf((event.snapshot as { value?: unknown }).value, 'jwtSync')) visited.add(id)
  }
}

/** The state node ids a snapshot value stands for, ancestors included. */
const statesOf = (value: unknown, prefix: string): string[] => {
  if (typeof value === 'string') return [prefix, `${prefix}.${value}`]
  if (typeof value !== 'object' || value === null) return [prefix]
  return [prefix, ...Object.entries(value).flatMap(([key, child]) => statesOf(child, `${prefix}.${key}`))]
}

/** Storage whose first read fails: the sync loop must treat it as transient (BATCH_FORM_FAILED). */
const flakyStorage = () => {
  let failed = false
  const readError = () => Promise.resolve(E.left({ kind: 'io' as const, message: 'disk read error' }))
  return storageWith((ns) => ({ peek: (identity, limit) => (failed ? ns.peek(identity, limit) : ((failed = true), readError)) }))
}

describe('statechart path coverage', () => {
  it('every state and transition of the statechart is reached', async () => {
    await fc.assert(fc.asyncProperty(fc.array(stepArbitrary, { minLength: 20, maxLength: 60 }), (steps) => runModel(steps, record)), { seed: 7, numRuns: 150 })

    // Paths the model does not drive: a storage read failure, shutdown before restore finished.
    const flaky = await startHarness({ storage: flakyStorage(), inspect: record })
    flaky.sdk.track('e')
    await flaky.sdk.flush()
    flaky.clock.advance(5 * 60_000)
    await settle()
    expect(flaky.server.stored.size).toBe(1)
    await flaky.sdk.shutdown()
    // A logout while a request is in flight: taken by the busy sync loop, served after it.
    const busy = await startHarness({ inspect: record })
    busy.sdk.track('e')
    busy.server.answer({ hold: true })
    const flushing = busy.sdk.flush()
    await settle()
    const loggingOut = busy.sdk.logout()
    busy.server.release({ status: 200 })
    await Promise.all([flushing, loggingOut])
    expect(busy.server.stored.size).toBe(1)
    await busy.sdk.shutdown()
    // A logged-out user's flush whose storage read fails: retried like any other read (R9, R11).
    const loggedOut = await startHarness({ storage: flakyStorage(), inspect: record })
    loggedOut.sdk.identify('u1')
    loggedOut.sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', loggedOut.clock.now()) })
    loggedOut.sdk.track('e')
    await loggedOut.sdk.logout()
    loggedOut.clock.advance(5 * 60_000)
    await settle()
    expect(loggedOut.server.stored.size).toBe(1)
    await loggedOut.sdk.shutdown()
    // The next full batch read while one is in flight is frozen ahead (NEXT_BATCH_READ).
    const ahead = await startHarness({ jwt: false, config: { maxBatchSize: 2 }, inspect: record })
    for (let i = 0; i < 6; i++) ahead.sdk.track('e', { i })
    await ahead.sdk.flush()
    expect(ahead.server.stored.size).toBe(6)
    await ahead.sdk.shutdown()
    // JWT disabled (R1): the auth region rests in jwtDisabled.
    const unsigned = await startHarness({ jwt: false, inspect: record })
    unsigned.sdk.track('e')
    await unsigned.sdk.flush()
    expect(unsigned.sdk.getState().chart?.auth).toBe('jwtDisabled')
    await unsigned.sdk.shutdown()
    // R11 across a relaunch: a logout whose deletion flush could not finish is restored as pending,
    // so the auth region starts anonymous and goes to loggingOut (not left to the model's seed).
    const leaving = await startHarness({ inspect: record })
    leaving.sdk.identify('u1')
    leaving.sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', leaving.clock.now()) })
    leaving.sdk.track('e')
    leaving.server.answer({ status: 503 })
    await leaving.sdk.logout()
    await leaving.sdk.whenPersisted()
    expect(leaving.sdk.getState().loggingOut.length).toBe(1)
    leaving.sdk.actor.stop()
    leaving.server.answer({ status: 503 }) // the relaunched flush fails too, so the logout stays owed
    const relaunched = await startHarness({ storage: leaving.storage, server: leaving.server, clock: createManualClock(leaving.clock.now()), inspect: record })
    await relaunched.sdk.whenPersisted()
    expect(relaunched.sdk.getState().chart?.auth).toBe('loggingOut')
    await relaunched.sdk.shutdown()
    const early = createSdk(baseConfig(), { transport: createScriptedServer().transport, clock: createManualClock(START), inspect: record })
    await early.shutdown()

    const machine = describeSyncMachine()
    const missingTransitions = listTransitions(machine).filter((t) => !taken.has(t.key)).map((t) => t.key)
    const missingStates = listStates(machine).filter((id) => !visited.has(id))
    expect(missingTransitions).toEqual([])
    expect(missingStates).toEqual([])
  }, 120_000)
})
