// Tests that pin the sync loop's paths the other SDK-level tests pass by (R8, R9, R11, R12): each
// kills mutants of the statechart that survived them (mutation/README.md).
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { expectRight, jwt401, settle, startHarness, storageWith, validToken } from './harness.js'

describe('R12: the periodic flush', () => {
  it('R12: repeats every periodicFlushMs in the foreground, not only once', async () => {
    const { sdk, server, clock } = await startHarness({ config: { periodicFlushMs: 10_000 } })
    sdk.track('e1')
    await sdk.whenPersisted()
    clock.advance(10_000)
    await settle()
    expect(server.requests).toHaveLength(1)
    sdk.track('e2')
    await sdk.whenPersisted()
    clock.advance(10_000)
    await settle()
    expect(server.requests).toHaveLength(2)
    sdk.track('e3')
    await sdk.whenPersisted()
    clock.advance(10_000)
    await settle()
    expect(server.requests).toHaveLength(3)
  })
})

describe('R8: coming back from the background', () => {
  it('R8: onAppForeground after more than inactivityTimeoutMs in the background starts a new session', async () => {
    const { sdk, clock } = await startHarness()
    const first = sdk.getState().sessionId
    sdk.onAppBackground()
    await settle()
    clock.advance(31 * 60_000)
    sdk.onAppForeground()
    await settle()
    expect(sdk.getState().sessionId).not.toBe(first)
    expect(sdk.getState().foreground).toBe(true)
  })
})

describe('R9: storage that cannot be read', () => {
  it('R9: a failed read of the queue is a transient failure: backoff, then the items go', async () => {
    let failures = 1
    const storage = storageWith((ns) => ({
      peek: (identity, limit) => (failures-- > 0 ? () => Promise.resolve(E.left({ kind: 'io' as const, message: 'disk read error' })) : ns.peek(identity, limit)),
    }))
    const { sdk, server, clock } = await startHarness({ storage })
    sdk.track('e')
    const report = expectRight(await sdk.flush())
    expect(report.pending).toBe(1)
    expect(sdk.getState()).toMatchObject({ sync: 'backing-off', chart: { sync: 'rest.storageUnavailable' } })
    expect(server.requests).toHaveLength(0)
    clock.advance(5 * 60_000)
    await settle()
    expect(server.requests).toHaveLength(1)
    expect(sdk.getState()).toMatchObject({ pendingCount: 0, sync: 'idle' })
  })
  it('R13: when storage holds fewer items than counted (a damaged record skipped), storage wins: nothing is sent, nothing pending', async () => {
    let empty = false
    const storage = storageWith((ns) => ({ peek: (identity, limit) => (empty ? () => Promise.resolve(E.right([])) : ns.peek(identity, limit)) }))
    const { sdk, server } = await startHarness({ storage })
    sdk.track('e')
    await sdk.whenPersisted()
    empty = true
    await sdk.flush()
    expect(server.requests).toHaveLength(0)
    expect(sdk.getState()).toMatchObject({ pendingCount: 0, chart: { sync: 'rest.nothingToSend' } })
  })
  it('R13: trusting storage for one identity keeps every other identity\'s count: their items still go', async () => {
    let emptyAnon = false
    const storage = storageWith((ns) => ({
      peek: (identity, limit) => (emptyAnon && identity === 'anon' ? () => Promise.resolve(E.right([])) : ns.peek(identity, limit)),
    }))
    const { sdk, server, clock } = await startHarness({ storage })
    sdk.track('anonymous')
    sdk.identify('u1')
    sdk.track('by u1')
    await sdk.whenPersisted()
    emptyAnon = true
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    await sdk.flush()
    await settle()
    expect(server.requests.map((request) => request.identity)).toEqual(['u1'])
    expect(sdk.getState().pendingCount).toBe(0)
  })
})

describe('R11: the logout flush', () => {
  /** u1 with one item logs out; the logout flush's request is held in flight. */
  const logoutFlushInFlight = async () => {
    const harness = await startHarness()
    const { sdk, server, clock } = harness
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    sdk.track('e')
    await sdk.whenPersisted()
    server.answer({ hold: true })
    const loggingOut = sdk.logout()
    await settle()
    return { ...harness, loggingOut }
  }

  it('R11: a logged-out user\'s items go through the chart\'s logout flush states', async () => {
    const { sdk, server, loggingOut } = await logoutFlushInFlight()
    expect(sdk.getState().chart?.sync).toBe('logoutFlush.sending')
    server.release({ status: 200 })
    await loggingOut
    expect(sdk.getState()).toMatchObject({ pendingCount: 0, loggingOut: [], chart: { sync: 'rest.nothingToSend', auth: 'anonymous' } })
  })
  it('R11: a user who logs back in before the logout flush failed keeps the items: a refusal then is R7, not a deletion', async () => {
    const { sdk, server, errors, loggingOut } = await logoutFlushInFlight()
    sdk.identify('u1')
    server.release(jwt401('INVALID_SIGNATURE'))
    await loggingOut
    await settle()
    expect(sdk.getState()).toMatchObject({ pendingCount: 1, loggingOut: [], identifier: 'u1' })
    expect(sdk.getState().tokens['u1']?.status).toBe('rejected')
    expect(errors.map((e) => e.details.deletedCount)).toEqual([undefined])
  })
})
