// Tests that pin getState() exactly (R19: the state is a plain snapshot that tells the truth) at
// each phase of a sync: each kills mutants the broader tests let live (mutation/README.md).
import { describe, expect, it } from 'vitest'
import { createManualClock, createSdk, fingerprintToken } from '@jwt-sync/core'
import { START, baseConfig, createScriptedServer, settle, startHarness, validToken } from './harness.js'

describe('R19: getState() at each phase of a sync', () => {
  it('R19: starting before the stored state is read, running, stopped after shutdown', async () => {
    const sdk = createSdk(baseConfig(), { transport: createScriptedServer().transport, clock: createManualClock(START) })
    expect(sdk.getState()).toMatchObject({ status: 'starting', chart: null, sync: 'idle', appId: 'test-app' })
    await sdk.whenPersisted()
    await settle()
    expect(sdk.getState()).toMatchObject({ status: 'running', chart: { presence: 'foreground', session: 'active', auth: 'anonymous', sync: 'rest.nothingToSend' } })
    await sdk.shutdown()
    expect(sdk.getState()).toMatchObject({ status: 'stopped', chart: null, sync: 'idle' })
  })
  it('R19: sending while a request is in flight; backing off with retryAt after a transient failure; idle again after', async () => {
    const { sdk, server, clock } = await startHarness()
    sdk.track('e')
    server.answer({ hold: true })
    const flushing = sdk.flush()
    await settle()
    expect(sdk.getState()).toMatchObject({ sync: 'sending', chart: { sync: 'attempt.sending' }, pendingCount: 1, pendingByIdentity: { anon: 1 } })
    server.release({ status: 503, headers: { 'retry-after': '120' } })
    await flushing
    const backingOff = sdk.getState()
    expect(backingOff).toMatchObject({ sync: 'backing-off', retryAt: clock.now() + 120_000, chart: { sync: 'rest.retryAfter' } })
    clock.advance(120_000)
    await settle()
    expect(sdk.getState()).toMatchObject({ sync: 'idle', retryAt: null, pendingCount: 0, pendingByIdentity: {}, chart: { sync: 'rest.nothingToSend' } })
  })
  it('R19: a backoff without Retry-After shows its own deadline; the retry time is null once passed', async () => {
    const { sdk, server, clock } = await startHarness({ seed: 7 })
    sdk.track('e')
    server.answer({ status: 500 }, { status: 500 })
    await sdk.flush()
    const state = sdk.getState()
    expect(state.sync).toBe('backing-off')
    expect(state.chart?.sync).toBe('rest.backingOff')
    expect(state.retryAt).not.toBeNull()
    expect(state.retryAt ?? 0).toBeGreaterThan(clock.now())
    expect(state.retryAt ?? Infinity).toBeLessThanOrEqual(clock.now() + 2_000)
  })
  it('R19: identifier, tokens as fingerprints with status and expiry, foreground, counts per identity', async () => {
    const { sdk, clock } = await startHarness()
    const token = validToken('u1', clock.now())
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token })
    sdk.onAppBackground()
    await settle()
    sdk.track('e')
    await sdk.whenPersisted()
    const state = sdk.getState()
    expect(state).toMatchObject({ identifier: 'u1', foreground: false, chart: { presence: 'background', auth: 'identified.tokenUsable' } })
    expect(state.tokens).toEqual({ u1: { status: 'usable', token: fingerprintToken(token), expiresAt: (Math.floor(clock.now() / 1000) + 3600) * 1000 } })
    sdk.onAppForeground()
    await settle()
    expect(sdk.getState().foreground).toBe(true)
  })
})
