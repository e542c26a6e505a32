import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createManualClock, createMemoryStorage, createSdk, fingerprintToken, type StorageWrite } from '@jwt-sync/core'
import { START, baseConfig, createScriptedServer, expectLeft, expectRight, settle, startHarness, storageWith, validToken } from './harness.js'

describe('R12: sync triggers', () => {
  it('R12: periodic flush every periodicFlushMs while in foreground, not in background', async () => {
    const { sdk, server, clock } = await startHarness({ config: { periodicFlushMs: 10_000 } })
    sdk.track('e1')
    await sdk.whenPersisted()
    clock.advance(9_999)
    await settle()
    expect(server.requests).toHaveLength(0)
    clock.advance(1)
    await settle()
    expect(server.requests).toHaveLength(1)
    sdk.onAppBackground()
    await settle()
    sdk.track('e2')
    await sdk.whenPersisted()
    clock.advance(60_000)
    await settle()
    expect(server.requests).toHaveLength(1)
  })

  it('R12: going to background flushes', async () => {
    const { sdk, server } = await startHarness()
    sdk.track('e1')
    await sdk.whenPersisted()
    sdk.onAppBackground()
    await settle()
    expect(server.requests).toHaveLength(1)
  })

  it('R12: reaching maxBatchSize pending items flushes', async () => {
    const { sdk, server } = await startHarness({ config: { maxBatchSize: 5 } })
    for (let i = 0; i < 4; i++) sdk.track(`e${i}`)
    await sdk.whenPersisted()
    await settle()
    expect(server.requests).toHaveLength(0)
    sdk.track('e4')
    await sdk.whenPersisted()
    await settle()
    expect(server.requests.map((r) => r.itemIds.length)).toEqual([5])
  })

  it('R12: a usable token for an identifier with pending items syncs promptly', async () => {
    const { sdk, server, clock } = await startHarness()
    sdk.identify('u1')
    sdk.track('e')
    await sdk.flush()
    expect(server.requests).toHaveLength(0)
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    await settle()
    expect(server.requests).toHaveLength(1)
  })
})

describe('sessions', () => {
  it('R8: onAppForeground is activity: after the inactivity timeout it starts a new session, also from foreground', async () => {
    const { sdk, clock } = await startHarness()
    const first = sdk.getState().sessionId
    clock.advance(29 * 60_000)
    sdk.onAppForeground()
    await settle()
    expect(sdk.getState().sessionId).toBe(first)
    clock.advance(29 * 60_000)
    sdk.onAppForeground()
    await settle()
    expect(sdk.getState().sessionId).toBe(first)
    clock.advance(31 * 60_000)
    sdk.onAppForeground()
    await settle()
    expect(sdk.getState().sessionId).not.toBe(first)
  })

  it('R8: flush and passAuthenticationDetails are not activity', async () => {
    const { sdk, clock } = await startHarness()
    const first = sdk.getState().sessionId
    clock.advance(20 * 60_000)
    await sdk.flush()
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    clock.advance(11 * 60_000)
    sdk.track('after 31 minutes without activity')
    await sdk.whenPersisted()
    expect(sdk.getState().sessionId).not.toBe(first)
  })
})

describe('R13: durability', () => {
  it('R13: after whenPersisted() the items survive a restart (same storage), and are sent then', async () => {
    const storage = createMemoryStorage()
    const clock = createManualClock(START)
    const server = createScriptedServer()
    const first = await startHarness({ storage, clock, server })
    server.answer({ failure: 'network' })
    const ids = ['a', 'b', 'c'].map((name) => expectRight(first.sdk.track(name)).id)
    await first.sdk.whenPersisted()
    await settle()
    // No shutdown: the first instance just stops being used, as after a crash.
    const second = await startHarness({ storage, clock, server })
    expect(second.sdk.getState().pendingCount).toBe(3)
    await second.sdk.flush()
    expect([...server.stored].sort()).toEqual([...ids].sort())
  })

  it('R13: writes are grouped: many tracks in one tick make one commit, and tracking never rewrites the queue', async () => {
    const commits: StorageWrite[] = []
    const storage = storageWith((ns) => ({ commit: (write) => (commits.push(write), ns.commit(write)) }))
    const { sdk } = await startHarness({ storage })
    commits.length = 0
    for (let i = 0; i < 500; i++) sdk.track(`e${i}`)
    await sdk.whenPersisted()
    const appended = commits.reduce((sum, write) => sum + (write.append?.length ?? 0), 0)
    expect(appended).toBe(500)
    expect(commits.filter((write) => (write.append?.length ?? 0) > 0)).toHaveLength(1)
  })

  it('R13: a full disk keeps items in memory, reports it, and writes them once storage recovers', async () => {
    let full = true
    const diskFull = () => Promise.resolve(E.left({ kind: 'quota' as const, message: 'disk full' }))
    const storage = storageWith((ns) => ({ commit: (write) => (full && (write.append?.length ?? 0) > 0 ? diskFull : ns.commit(write)) }))
    const { sdk, server, clock } = await startHarness({ storage })
    const problems: string[] = []
    sdk.registerProblemListener((p) => problems.push(p.type === 'STORAGE' ? p.kind : p.type))
    sdk.track('kept')
    let persisted = false
    void sdk.whenPersisted().then(() => (persisted = true))
    await settle()
    expect(persisted).toBe(false)
    expect(problems).toEqual(['quota'])
    full = false
    clock.advance(2_000)
    await settle()
    expect(persisted).toBe(true)
    await sdk.flush()
    expect(server.stored.size).toBe(1)
  })

  it('R8: the session counter is persisted, so a relaunch within the timeout keeps it', async () => {
    const storage = createMemoryStorage()
    const clock = createManualClock(START)
    const server = createScriptedServer()
    const first = await startHarness({ storage, clock, server })
    first.sdk.identify('u1')
    for (let i = 0; i < 3; i++) {
      server.answer({ status: 401, body: '{}' })
      first.sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now(), `n${i}`) })
      first.sdk.track(`e${i}`)
      await first.sdk.flush()
    }
    await first.sdk.whenPersisted()
    const second = await startHarness({ storage, clock, server })
    expect(second.sdk.getState()).toMatchObject({ consecutiveAuthFailures: 3, sessionId: first.sdk.getState().sessionId, identifier: 'u1' })
  })
})

describe('R17: bad input never throws and changes nothing', () => {
  it('R17: invalid event names, attributes, identifiers and tokens give an error naming the field', async () => {
    const { sdk } = await startHarness()
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    const cases: [() => E.Either<{ code: string; field?: string }, unknown>, string][] = [
      [() => sdk.track('' as string), 'name'],
      [() => sdk.track('x'.repeat(257)), 'name'],
      [() => sdk.track(42 as unknown as string), 'name'],
      [() => sdk.track('e', { when: new Date() } as never), 'attributes.when'],
      [() => sdk.track('e', { n: Number.NaN }), 'attributes.n'],
      [() => sdk.track('e', { deep: { list: [1, () => 1] } } as never), 'attributes.deep.list[1]'],
      [() => sdk.track('e', cyclic as never), 'attributes.self'],
      [() => sdk.track('e', { big: 'x'.repeat(33_000) }), 'attributes'],
      [() => sdk.track('e', [] as never), 'attributes'],
      [() => sdk.setUserAttribute('plan', undefined as never), 'value'],
      [() => sdk.identify(''), 'identifier'],
      [() => sdk.passAuthenticationDetails({ identifier: 'u1', token: '' }), 'token'],
      [() => sdk.passAuthenticationDetails({ identifier: 7 as never, token: 't' }), 'identifier'],
      [() => sdk.passAuthenticationDetails(null as never), 'details'],
    ]
    for (const [call, field] of cases) {
      const error = expectLeft(call())
      expect(error).toMatchObject({ code: 'INVALID_INPUT', field })
    }
    expect(sdk.getState()).toMatchObject({ pendingCount: 0, identifier: null, tokens: {} })
    expectRight(sdk.track('ok', { nested: { list: [1, 'a', null, true, { x: 1.5 }] }, nullProto: Object.create(null) as never }))
  })

  it('R17: an invalid config throws a TypeError naming the field, from createSdk only', () => {
    const transport = createScriptedServer().transport
    expect(() => createSdk({ ...baseConfig(), appId: '' }, { transport })).toThrow(/appId/)
    expect(() => createSdk({ ...baseConfig(), networkConfig: { authorizationConfig: { isJwtEnabled: 'yes' as never } } }, { transport })).toThrow(
      /networkConfig\.authorizationConfig\.isJwtEnabled/,
    )
    expect(() => createSdk({ ...baseConfig(), maxBatchSize: 0 }, { transport })).toThrow(/maxBatchSize/)
    const { baseUrl: _omit, ...withoutUrl } = baseConfig()
    expect(() => createSdk({ ...withoutUrl, dataCenter: 'mars' }, { transport })).toThrow(/dataCenter/)
    expect(() => createSdk({ ...withoutUrl, dataCenter: 'eu', dataCenters: { eu: 'https://eu.example' } }, { transport })).not.toThrow()
  })

  it('R17: malformed server responses never crash: a 2xx with garbage counts as delivered', async () => {
    const { sdk, server } = await startHarness()
    sdk.track('e')
    server.answer({ status: 200, body: '<<<not json' })
    expect(expectRight(await sdk.flush()).delivered).toBe(1)
  })
})

describe('R19: state is observable', () => {
  it('R19: getState is a plain serialisable snapshot with redacted tokens; subscribe notifies; the actor is exposed', async () => {
    const { sdk, clock } = await startHarness()
    const seen: number[] = []
    const unsubscribe = sdk.subscribe((state) => seen.push(state.pendingCount))
    const token = validToken('u1', clock.now())
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token })
    sdk.track('e')
    await sdk.whenPersisted()
    await settle()
    const state = sdk.getState()
    expect(JSON.parse(JSON.stringify(state))).toEqual(state)
    expect(state).toMatchObject({ identifier: 'u1', consecutiveAuthFailures: 0, suspended: false, deadLetterCount: 0 })
    expect(state.tokens['u1']?.token).toBe(fingerprintToken(token))
    expect(JSON.stringify(state)).not.toContain(token)
    expect(seen.length).toBeGreaterThan(0)
    unsubscribe()
    expect(typeof sdk.actor.getSnapshot).toBe('function')
  })

  it('R19/R18: the inspect port receives the actor\'s events, with every token redacted', async () => {
    const types = new Set<string>()
    const seen: string[] = []
    const clock = createManualClock(START)
    const sdk = createSdk(baseConfig(), {
      transport: createScriptedServer().transport,
      clock,
      inspect: (event) => {
        types.add(event.type)
        seen.push(JSON.stringify(event))
      },
    })
    const token = validToken('u1', clock.now())
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token })
    sdk.track('e')
    await sdk.whenPersisted()
    await sdk.flush()
    expect(types.has('@xstate.snapshot')).toBe(true)
    expect(types.has('@xstate.event')).toBe(true)
    expect(seen.some((line) => line.includes(fingerprintToken(token)))).toBe(true)
    expect(seen.filter((line) => line.includes(token)).map((line) => line.slice(0, 300))).toEqual([])
    await sdk.shutdown()
    expect(E.isLeft(sdk.track('after shutdown'))).toBe(true)
  })
})

describe('calls before the stored state is restored', () => {
  it('R3: identify, token and track right after createSdk are replayed in order: the item is the user\'s', async () => {
    const server = createScriptedServer()
    const clock = createManualClock(START)
    const sdk = createSdk(baseConfig(), { transport: server.transport, clock })
    const token = validToken('u1', clock.now())
    sdk.identify('u1')
    expectRight(sdk.passAuthenticationDetails({ identifier: 'u1', token }))
    sdk.track('first')
    await sdk.flush()
    expect(server.requests.map((r) => [r.identity, r.token])).toEqual([['u1', token]])
    await sdk.shutdown()
  })

  it('R6: a listener that passes a bad token from inside its callback still gets the Left', async () => {
    const { sdk, server, clock } = await startHarness()
    const answers: string[] = []
    sdk.registerAuthenticationListener((error) => {
      if (error.details.code !== 'INVALID_SIGNATURE') return
      const result = sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u2', clock.now()) })
      answers.push(E.isLeft(result) ? result.left.code : 'Right')
    })
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    sdk.track('e')
    server.answer({ status: 401, body: JSON.stringify({ error: { type: 'JWT', code: 'INVALID_SIGNATURE' } }) })
    await sdk.flush()
    expect(answers).toEqual(['IDENTIFIER_MISMATCH'])
  })
})
