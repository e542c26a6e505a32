import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { expectLeft, expectRight, jwt401, makeToken, refuseRounds, settle, startHarness, validToken } from './harness.js'

describe('authentication rules', () => {
  it('R1: JWT disabled: no Authorization header, passAuthenticationDetails returns JWT_DISABLED and changes nothing', async () => {
    const { sdk, server, clock } = await startHarness({ jwt: false })
    sdk.identify('u1')
    const result = sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    expect(expectLeft(result).code).toBe('JWT_DISABLED')
    expect(sdk.getState().tokens).toEqual({})
    sdk.track('e')
    await sdk.flush()
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]?.token).toBeNull()
    expect(server.requests[0]?.identity).toBe('u1')
  })

  it('R2: anonymous items are sent without Authorization when JWT is enabled', async () => {
    const { sdk, server } = await startHarness()
    sdk.track('anon event')
    await sdk.flush()
    expect(server.requests.map((r) => [r.identity, r.token])).toEqual([[null, null]])
  })

  it('R3: a user item is only sent with a token passed for that user, never another user\'s', async () => {
    const { sdk, server, clock } = await startHarness()
    const t1 = validToken('u1', clock.now())
    const t2 = validToken('u2', clock.now())
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: t1 })
    sdk.track('by u1')
    sdk.identify('u2')
    sdk.track('by u2')
    await sdk.flush()
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]).toMatchObject({ identity: 'u1', token: t1 })
    sdk.passAuthenticationDetails({ identifier: 'u2', token: t2 })
    await sdk.flush()
    expect(server.requests[1]).toMatchObject({ identity: 'u2', token: t2 })
  })

  it('R4: one request carries the items of exactly one identity', async () => {
    const { sdk, server, clock } = await startHarness()
    sdk.track('anon')
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    sdk.track('u1')
    await sdk.flush()
    expect(server.requests).toHaveLength(2)
    expect(new Set(server.requests.map((r) => r.identity))).toEqual(new Set([null, 'u1']))
    for (const request of server.requests) expect(request.itemIds).toHaveLength(1)
  })

  it('R5: no usable token: no request, TOKEN_NOT_AVAILABLE once per wait, not once per flush', async () => {
    const { sdk, server, errors, clock } = await startHarness()
    sdk.identify('u1')
    sdk.track('e1')
    await sdk.flush()
    await sdk.flush()
    sdk.track('e2')
    await sdk.flush()
    expect(server.requests).toHaveLength(0)
    expect(errors.map((e) => [e.details.code, e.source])).toEqual([['TOKEN_NOT_AVAILABLE', 'client']])
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    await settle()
    expect(server.requests).toHaveLength(1)
    expect(sdk.getState().pendingCount).toBe(0)
  })

  it('R5: no TOKEN_NOT_AVAILABLE when an R6 error opened the wait', async () => {
    const { sdk, errors, clock } = await startHarness()
    sdk.identify('u1')
    expectLeft(sdk.passAuthenticationDetails({ identifier: 'u1', token: makeToken({ sub: 'u1' }) }))
    sdk.track('e1')
    await sdk.flush()
    expect(errors.map((e) => e.details.code)).toEqual(['PAYLOAD_CONTENT_MISSING'])
    void clock
  })

  it('R6: a token failing client checks is never sent, never replaces a usable one, returns Left, reaches the listener, not R8', async () => {
    const { sdk, server, errors, clock } = await startHarness()
    const good = validToken('u1', clock.now())
    sdk.identify('u1')
    expectRight(sdk.passAuthenticationDetails({ identifier: 'u1', token: good }))
    const bad = makeToken({ sub: 'someone-else', exp: Math.floor(clock.now() / 1000) + 600 })
    const left = expectLeft(sdk.passAuthenticationDetails({ identifier: 'u1', token: bad }))
    expect(left).toMatchObject({ code: 'IDENTIFIER_MISMATCH', numericCode: 4004 })
    expect(errors[0]).toMatchObject({ type: 'JWT', source: 'client', details: { code: 'IDENTIFIER_MISMATCH', token: bad, identifier: 'u1' } })
    sdk.track('e')
    await sdk.flush()
    expect(server.requests.map((r) => r.token)).toEqual([good])
    expect(sdk.getState().consecutiveAuthFailures).toBe(0)
  })

  it('R6: clientValidation false sends the token as given', async () => {
    const { sdk, server } = await startHarness({ config: { clientValidation: false } })
    sdk.identify('u1')
    expectRight(sdk.passAuthenticationDetails({ identifier: 'u1', token: 'opaque-token' }))
    sdk.track('e')
    await sdk.flush()
    expect(server.requests[0]?.token).toBe('opaque-token')
  })

  it('R6: a token that expires while items wait is caught before use (TIME_CONSTRAINT_FAILURE)', async () => {
    const { sdk, server, errors, clock } = await startHarness()
    const shortLived = makeToken({ sub: 'u1', exp: Math.floor(clock.now() / 1000) + 120 })
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: shortLived })
    clock.advance(180_000)
    sdk.track('e')
    await sdk.flush()
    expect(server.requests).toHaveLength(0)
    expect(errors.map((e) => e.details.code)).toEqual(['TIME_CONSTRAINT_FAILURE'])
    expect(sdk.getState().tokens['u1']?.status).toBe('expired')
  })

  it('R7: a server auth failure: listener error, token rejected, batch kept, no request until a different token, counter +1', async () => {
    const { sdk, server, errors, clock } = await startHarness()
    const t1 = validToken('u1', clock.now())
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: t1 })
    sdk.track('e')
    server.answer(jwt401('INVALID_SIGNATURE'))
    await sdk.flush()
    expect(errors[0]).toEqual({
      type: 'JWT',
      source: 'server',
      accountMeta: { appId: 'test-app' },
      details: { code: 'INVALID_SIGNATURE', numericCode: 4003, token: t1, identifier: 'u1', message: 'INVALID_SIGNATURE' },
    })
    expect(sdk.getState()).toMatchObject({ consecutiveAuthFailures: 1, pendingCount: 1 })
    expect(sdk.getState().tokens['u1']?.status).toBe('rejected')
    clock.advance(10 * 60_000)
    await sdk.flush()
    expect(server.requests).toHaveLength(1)
    expect(expectLeft(sdk.passAuthenticationDetails({ identifier: 'u1', token: t1 })).code).toBe('INVALID_SIGNATURE')
    expect(server.requests).toHaveLength(1)
    const t2 = validToken('u1', clock.now())
    sdk.passAuthenticationDetails({ identifier: 'u1', token: t2 })
    await settle()
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]).toMatchObject({ token: t2, batchId: server.requests[0]?.batchId })
    expect(sdk.getState()).toMatchObject({ pendingCount: 0, consecutiveAuthFailures: 0 })
  })

  it('R7: an unreadable 401 body maps to UNKNOWN', async () => {
    const { sdk, server, errors, clock } = await startHarness()
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    sdk.track('e')
    server.answer({ status: 401, body: '<html>nope' })
    await sdk.flush()
    expect(errors[0]?.details).toMatchObject({ code: 'UNKNOWN', numericCode: 4999 })
  })

  it('R7: a token passed while the failing request was in flight is not marked rejected; sync goes on with it', async () => {
    const { sdk, server, clock } = await startHarness()
    const t1 = validToken('u1', clock.now())
    const t2 = validToken('u1', clock.now())
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: t1 })
    sdk.track('e')
    server.answer({ hold: true })
    const flushing = sdk.flush()
    await settle()
    expect(server.heldCount()).toBe(1)
    sdk.passAuthenticationDetails({ identifier: 'u1', token: t2 })
    server.release(jwt401('INVALID_SIGNATURE'))
    await flushing
    await settle()
    expect(sdk.getState().tokens['u1']?.status).toBe('usable')
    expect(server.requests.map((r) => r.token)).toEqual([t1, t2])
    expect(sdk.getState().pendingCount).toBe(0)
  })

  it('S1: a request that failed authentication is not retried until the app provides a new token', async () => {
    const { sdk, server, clock } = await startHarness()
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    sdk.track('e')
    server.answer(jwt401('INVALID_SIGNATURE'))
    await sdk.flush()
    for (let i = 0; i < 20; i++) {
      clock.advance(60_000)
      await settle()
    }
    sdk.track('more')
    await sdk.flush()
    expect(server.requests).toHaveLength(1)
  })

  it('R8/S2: after 10 consecutive auth failures no request of any identity until the next session; tokens kept', async () => {
    const harness = await startHarness()
    const { sdk, server, clock } = harness
    await refuseRounds(harness, 'u1', 12)
    const failed = server.requests.filter((r) => r.response === 401)
    expect(failed).toHaveLength(10)
    expect(sdk.getState()).toMatchObject({ suspended: true, consecutiveAuthFailures: 10 })
    const kept = validToken('u1', clock.now(), 'kept')
    expectRight(sdk.passAuthenticationDetails({ identifier: 'u1', token: kept }))
    await sdk.logout().then(() => undefined)
    expect(server.requests.filter((r) => r.response === 401).length).toBeLessThanOrEqual(11)
  })

  it('R8: the next session (activity after the inactivity timeout) resumes sync and resets the counter', async () => {
    const harness = await startHarness()
    const { sdk, server, clock } = harness
    await refuseRounds(harness, 'u1', 10)
    expect(sdk.getState().suspended).toBe(true)
    const token = validToken('u1', clock.now() + 31 * 60_000, 'fresh')
    sdk.passAuthenticationDetails({ identifier: 'u1', token })
    await sdk.flush()
    expect(server.requests).toHaveLength(10)
    const session = sdk.getState().sessionId
    clock.advance(31 * 60_000)
    sdk.track('new session')
    await sdk.whenPersisted()
    await settle()
    expect(sdk.getState().sessionId).not.toBe(session)
    expect(sdk.getState()).toMatchObject({ suspended: false, consecutiveAuthFailures: 0, pendingCount: 0 })
    expect(server.requests.at(-1)?.token).toBe(token)
  })

  it('R8: any successful request resets the counter', async () => {
    const { sdk, server, clock } = await startHarness()
    sdk.identify('u1')
    server.answer(jwt401('INVALID_SIGNATURE'))
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now(), 'a') })
    sdk.track('e')
    await sdk.flush()
    expect(sdk.getState().consecutiveAuthFailures).toBe(1)
    sdk.logout()
    await settle()
    sdk.track('anon')
    await sdk.flush()
    expect(sdk.getState().consecutiveAuthFailures).toBe(0)
    expect(server.requests.at(-1)?.response).toBe(200)
  })

  it('R15: several listeners, each error once, a throwing listener harms nobody, late listeners get unresolved errors', async () => {
    const { sdk, server, clock } = await startHarness()
    const a: string[] = []
    const b: string[] = []
    sdk.registerAuthenticationListener(() => {
      throw new Error('listener bug')
    })
    sdk.registerAuthenticationListener({ onError: (e) => a.push(e.details.code) })
    sdk.identify('u1')
    const t1 = validToken('u1', clock.now())
    sdk.passAuthenticationDetails({ identifier: 'u1', token: t1 })
    sdk.track('e')
    server.answer(jwt401('INVALID_SIGNATURE'))
    await sdk.flush()
    await sdk.flush()
    sdk.registerAuthenticationListener((e) => b.push(e.details.code))
    expect(a).toEqual(['INVALID_SIGNATURE'])
    expect(b).toEqual(['INVALID_SIGNATURE'])
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    await settle()
    const c: string[] = []
    sdk.registerAuthenticationListener((e) => c.push(e.details.code))
    expect(c).toEqual([])
    expect(sdk.getState().pendingCount).toBe(0)
  })

  it('R16: tokenProvider is asked when no token is usable, once per identifier in flight, and sync resumes', async () => {
    const calls: string[] = []
    let release: ((token: string) => void) | undefined
    const { sdk, server, clock } = await startHarness({
      config: {
        tokenProvider: (identifier, reason) => {
          calls.push(`${identifier}:${reason}`)
          return new Promise<string>((resolve) => {
            release = resolve
          })
        },
      },
    })
    sdk.identify('u1')
    sdk.track('e1')
    void sdk.flush()
    sdk.track('e2')
    void sdk.flush()
    await settle()
    expect(calls).toEqual(['u1:missing'])
    release?.(validToken('u1', clock.now()))
    await settle()
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]?.itemIds).toHaveLength(2)
  })

  it('R16: a provider that never answers times out and is retried with backoff, capped, without stalling others', async () => {
    const calls: string[] = []
    const { sdk, server, clock } = await startHarness({
      config: {
        timeoutMs: 1_000,
        tokenProvider: (identifier, reason) => {
          calls.push(`${identifier}:${reason}`)
          return new Promise<string>(() => undefined)
        },
      },
    })
    sdk.identify('u1')
    sdk.track('u1 waits for a token that never comes')
    await sdk.flush()
    sdk.identify('u2')
    sdk.passAuthenticationDetails({ identifier: 'u2', token: validToken('u2', clock.now()) })
    sdk.track('u2 goes')
    await sdk.flush()
    expect(server.requests.map((r) => r.identity)).toEqual(['u2'])
    for (let i = 0; i < 40; i++) {
      clock.advance(5 * 60_000)
      await settle()
    }
    // Five attempts for u1's missing token; u2's proactive refresh (R16) also gives up after five.
    expect(calls.filter((call) => call === 'u1:missing')).toHaveLength(5)
    expect(calls.filter((call) => call === 'u2:expiring')).toHaveLength(5)
  })

  it('R16: the provider refreshes refreshLeadMs before exp', async () => {
    const reasons: string[] = []
    const { sdk, clock } = await startHarness({
      config: {
        refreshLeadMs: 60_000,
        tokenProvider: (identifier, reason) => {
          reasons.push(reason)
          return Promise.resolve(validToken(identifier, clock.now()))
        },
      },
    })
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: makeToken({ sub: 'u1', exp: Math.floor(clock.now() / 1000) + 600 }) })
    clock.advance(540_000 - 1)
    await settle()
    expect(reasons).toEqual([])
    clock.advance(2)
    await settle()
    expect(reasons).toEqual(['expiring'])
    expect(sdk.getState().tokens['u1']?.status).toBe('usable')
    void E
  })
})
