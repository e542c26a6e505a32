// Defects found in the second round, each pinned by the rule it broke.
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createManualClock, createMemoryStorage, createSdk, type AuthenticationError, type HttpRequest, type StorageWrite } from '@jwt-sync/core'
import { START, baseConfig, createScriptedServer, expectRight, jwt401, settle, startHarness, storageWith, validToken } from './harness.js'

/** Every string anywhere in the stored state and queue of an app, joined. */
const everythingStored = async (storage: ReturnType<typeof createMemoryStorage>): Promise<string> => {
  const opened = await storage.open('test-app')()
  if (E.isLeft(opened)) throw new Error('storage not readable')
  const loaded = await opened.right.load()()
  return JSON.stringify(E.isRight(loaded) ? loaded.right : null)
}

describe('round two regressions', () => {
  it('R11: after a logout deletion no full token of that user stays in storage, refused ones included', async () => {
    const storage = createMemoryStorage()
    const { sdk, server, clock } = await startHarness({ storage })
    const refusedEarlier = validToken('u1', clock.now(), 'early')
    const refusedAtLogout = validToken('u1', clock.now(), 'late')
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: refusedEarlier })
    sdk.track('a')
    server.answer(jwt401('INVALID_SIGNATURE'))
    await sdk.flush()
    expectRight(sdk.passAuthenticationDetails({ identifier: 'u1', token: refusedAtLogout }))
    server.answer(jwt401('TIME_CONSTRAINT_FAILURE'))
    expect(expectRight(await sdk.logout())).toMatchObject({ deleted: 1 })
    await sdk.whenPersisted()
    const stored = await everythingStored(storage)
    expect(stored).not.toContain(refusedEarlier)
    expect(stored).not.toContain(refusedAtLogout)
    // R7 still recognises a refused token passed again, from its digest.
    sdk.identify('u1')
    expect(E.isLeft(sdk.passAuthenticationDetails({ identifier: 'u1', token: refusedAtLogout }))).toBe(true)
  })

  it.each([
    ['flushed', { status: 200 }],
    ['deleted', { status: 401, body: JSON.stringify({ error: { type: 'JWT', code: 'INVALID_SIGNATURE' } }) }],
  ] as const)('R11: the commit that forgets a logged-out user (items %s) erases, and carries the token record without them', async (_case, answer) => {
    const commits: StorageWrite[] = []
    const storage = storageWith((ns) => ({ commit: (write: StorageWrite) => (commits.push(write), ns.commit(write)) }))
    const { sdk, server, clock } = await startHarness({ storage })
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    sdk.track('a')
    await sdk.whenPersisted()
    server.answer(answer)
    await sdk.logout()
    await sdk.whenPersisted()
    const erasing = commits.filter((write) => write.erase === true)
    expect(erasing).toHaveLength(1)
    const tokens = erasing[0]?.state?.['tokens'] as { value: Record<string, unknown> } | undefined
    expect(tokens?.value).toEqual({})
  })

  it('R7: refused tokens written in full by the first release are read back as digests and still refused', async () => {
    const clock = createManualClock(START)
    const refused = validToken('u1', clock.now(), 'old')
    const storage = createMemoryStorage()
    const opened = await storage.open('test-app')()
    if (E.isLeft(opened)) throw new Error('storage not readable')
    await opened.right.commit({ state: { refusedTokens: { v: 1, value: { u1: [{ token: refused, code: 'INVALID_SIGNATURE' }] } } } })()
    const { sdk } = await startHarness({ storage, clock })
    sdk.identify('u1')
    await sdk.flush()
    expect(E.isLeft(sdk.passAuthenticationDetails({ identifier: 'u1', token: refused }))).toBe(true)
  })

  it('R5: a good token passed right after createSdk counts: no TOKEN_NOT_AVAILABLE for items pending from an earlier launch', async () => {
    const storage = createMemoryStorage()
    const clock = createManualClock(START)
    const server = createScriptedServer()
    const first = await startHarness({ storage, clock, server })
    first.sdk.identify('alice')
    first.sdk.track('from an earlier page load')
    await first.sdk.whenPersisted()
    await settle()
    first.sdk.actor.stop()

    const errors: AuthenticationError[] = []
    const sdk = createSdk(baseConfig(), { transport: server.transport, clock, storage })
    sdk.registerAuthenticationListener((error) => errors.push(error))
    expectRight(sdk.passAuthenticationDetails({ identifier: 'alice', token: validToken('alice', clock.now()) }))
    await sdk.flush()
    expect(errors.map((error) => error.details.code)).toEqual([])
    expect(server.stored.size).toBe(1)
    await sdk.shutdown()
  })

  it('R14/R13: a frozen batch is in storage before its request leaves', async () => {
    let committedOutbox = ''
    const storage = storageWith((ns) => ({
      commit: (write: StorageWrite) => async () => {
        const result = await ns.commit(write)()
        if (E.isRight(result) && write.state?.['outbox'] !== undefined) committedOutbox = JSON.stringify(write.state['outbox'])
        return result
      },
    }))
    const sentBefore: boolean[] = []
    const server = createScriptedServer()
    const transport = {
      send: (request: HttpRequest) => {
        sentBefore.push(committedOutbox.includes(request.headers['Idempotency-Key'] ?? 'missing'))
        return server.transport.send(request)
      },
    }
    const sdk = createSdk(baseConfig(), { transport, storage, clock: createManualClock(START) })
    sdk.track('a')
    sdk.track('b')
    await sdk.flush()
    expect(sentBefore).toEqual([true])
    await sdk.shutdown()
  })
})
