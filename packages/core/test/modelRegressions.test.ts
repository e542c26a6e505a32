// Counterexamples fast-check found in the model-based test, kept as exact replays.
import { describe, expect, it } from 'vitest'
import { createManualClock } from '@jwt-sync/core'
import { settle, startHarness } from './harness.js'
import { runModel, type Step } from './modelBased.js'

const regressions: { readonly name: string; readonly steps: readonly Step[] }[] = [
  {
    // An invalid token overwrote the record of the refused one, so passing the refused token
    // again was accepted and sent again.
    name: 'R7/S1: a refused token stays refused after an invalid token was passed in between',
    steps: [
      { kind: 'authStorm', user: 'u3', rounds: 1 },
      { kind: 'token', user: 'u3', token: 'wrong-subject' },
      { kind: 'token', user: 'u3', token: 'replay-rejected' },
    ],
  },
  {
    // Two R11 deletions of the same user without a token were de-duplicated as one error (R15),
    // so the second deletedCount never reached the listener.
    name: 'R11/R15: every deletion reaches the listener with its deletedCount',
    steps: [
      { kind: 'authStorm', user: 'u2', rounds: 1 },
      { kind: 'logout' },
      { kind: 'identify', user: 'u2' },
      { kind: 'track' },
      { kind: 'logout' },
      { kind: 'track' },
    ],
  },
  {
    // Logout forgot the refused token along with the usable one; passed again later, it was sent.
    name: 'S1: a token refused before a logout stays refused after it',
    steps: [
      { kind: 'authStorm', user: 'u2', rounds: 1 },
      { kind: 'logout' },
      { kind: 'token', user: 'u2', token: 'replay-rejected' },
      { kind: 'identify', user: 'u2' },
      { kind: 'track' },
      { kind: 'authStorm', user: 'u1', rounds: 1 },
    ],
  },
  {
    // A token refused during a logout flush (R11 deletion) was not remembered as refused.
    name: 'S1/R11: a token refused during the logout flush is never sent again',
    steps: [
      { kind: 'token', user: 'u3', token: 'valid' },
      { kind: 'answer', answer: { failure: 'timeout' }, label: 'timeout' },
      { kind: 'identify', user: 'u3' },
      { kind: 'track' },
      { kind: 'logout' },
      { kind: 'answer', answer: { status: 401, body: 'garbage' }, label: '401 unreadable' },
      { kind: 'flush' },
      { kind: 'identify', user: 'u3' },
      { kind: 'token', user: 'u3', token: 'replay-rejected' },
      { kind: 'setUserAttribute' },
      { kind: 'token', user: 'u1', token: 'valid' },
      { kind: 'track' },
    ],
  },
  {
    // With a seeded random source, a relaunched instance reused the first instance's item ids;
    // the de-duplicating server would have dropped the new items as duplicates.
    name: 'R14/R13: item ids stay unique across a relaunch, even with a seeded random source',
    steps: [{ kind: 'track' }, { kind: 'relaunch' }, { kind: 'authStorm', user: 'u1', rounds: 1 }, { kind: 'flush' }],
  },
  {
    // Session ids repeated after a relaunch (seeded random), so two sessions looked like one.
    name: 'R8: session ids stay unique across a relaunch, so each session has its own failure bound',
    steps: [
      { kind: 'logout' },
      { kind: 'relaunch' },
      { kind: 'authStorm', user: 'u1', rounds: 1 },
      { kind: 'logout' },
      { kind: 'authStorm', user: 'u1', rounds: 10 },
      { kind: 'background' },
    ],
  },
]

describe('model-based regressions', () => {
  for (const regression of regressions) {
    it(regression.name, async () => {
      await runModel(regression.steps)
    })
  }
})

// Found while writing the reference model (referenceModel.ts, `relaunch`): the rules say a
// Retry-After "sets the earliest time of the next attempt" (R9), but the retry state was not
// persisted, so the first decision after a relaunch sent at once. The deadline is now part of the
// persisted control state.
describe('model-based findings', () => {
  it('R9: a Retry-After window survives a relaunch', async () => {
    const first = await startHarness()
    first.sdk.track('e')
    first.server.answer({ status: 429, headers: { 'retry-after': '600' } })
    await first.sdk.flush()
    expect(first.server.requests.map((request) => request.response)).toEqual([429])
    await first.sdk.whenPersisted()
    first.sdk.actor.stop()
    // Relaunched one minute later, nine minutes before the deadline the server asked for.
    const second = await startHarness({ storage: first.storage, server: first.server, clock: createManualClock(first.clock.now() + 60_000) })
    await settle()
    try {
      expect(second.server.requests.length, 'no request before the Retry-After deadline').toBe(1)
      expect(second.sdk.getState().chart?.sync).toBe('rest.retryAfter')
      expect(second.sdk.getState().retryAt).toBe(first.clock.now() + 600_000)
      second.server.answer({ status: 200 })
      second.clock.advance(9 * 60_000 - 1)
      await settle()
      expect(second.server.requests.length, 'still inside the window').toBe(1)
      second.clock.advance(1)
      await settle()
      expect(second.server.requests.map((request) => request.response)).toEqual([429, 200])
    } finally {
      await second.sdk.shutdown()
    }
  })

  it('R9: a stored Retry-After deadline is held at most the honoured hour after a relaunch, so a clock set back cannot silence the SDK', async () => {
    const first = await startHarness()
    first.sdk.track('e')
    first.server.answer({ status: 429, headers: { 'retry-after': '3600' } })
    await first.sdk.flush()
    await first.sdk.whenPersisted()
    first.sdk.actor.stop()
    // The device clock went back a day: the stored deadline now looks 25 hours away.
    const second = await startHarness({ storage: first.storage, server: first.server, clock: createManualClock(first.clock.now() - 24 * 3_600_000) })
    await settle()
    try {
      expect(second.sdk.getState().retryAt).toBe(second.clock.now() + 3_600_000)
      second.server.answer({ status: 200 })
      second.clock.advance(3_600_000)
      await settle()
      expect(second.server.requests.map((request) => request.response)).toEqual([429, 200])
    } finally {
      await second.sdk.shutdown()
    }
  })
})
