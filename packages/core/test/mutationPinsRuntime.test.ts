// Tests that pin the runtime's pure parts exactly: which writes must be durable before a request
// (R8, R14, S1, R13), what the control state persists and how it is read back at start (R13, R14,
// R11, R7), and the token provider's schedule (R16). Each kills mutants that the SDK-level tests
// let live (mutation/README.md).
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../src/drivers/manualClock.js'
import { createMemoryStorage } from '../src/drivers/memoryStorage.js'
import { hash64 } from '../src/jwt/hash.js'
import type { IdentityKey } from '../src/model/identity.js'
import type { StoredItem } from '../src/model/item.js'
import type { StorageNamespace, StorageWrite } from '../src/ports/storage.js'
import { decodeRestoredState, rebuildOutbox, stateChanges, STATE_FORMAT_VERSION } from '../src/runtime/persistedState.js'
import { stateMayFollowRequest, writeMayFollowRequest } from '../src/runtime/requestDurability.js'
import { createTokenProviderService, MAX_PROVIDER_ATTEMPTS } from '../src/runtime/tokenProviderService.js'
import { redactedInspection } from '../src/runtime/redactedInspection.js'
import { createAuthListeners } from '../src/runtime/authListeners.js'
import { createPersister } from '../src/runtime/persister.js'
import { createSdk } from '../src/sdk/createSdk.js'
import { START, baseConfig, createScriptedServer, expectRight, settle, startHarness, storageWith } from './harness.js'
import { fingerprintToken } from '../src/jwt/fingerprint.js'
import type { FrozenBatch, SyncContext } from '../src/sync/context.js'

const item = (id: string, identity = 'anon'): StoredItem =>
  ({ id, identity, type: 'event', name: 'e', attributes: {}, timestamp: 1, sessionId: 's' }) as unknown as StoredItem
const batch = (batchId: string, ids: string[], identity = 'anon'): FrozenBatch =>
  ({ batchId, identity, items: ids.map((id) => item(id, identity)) }) as unknown as FrozenBatch
const session = { id: 's1', startedAt: 1, lastActivityAt: 2, consecutiveAuthFailures: 3 } as unknown as SyncContext['session']
const context = (overrides: Partial<Record<keyof SyncContext, unknown>> = {}): SyncContext =>
  ({
    identifier: 'u1',
    session,
    tokens: {},
    refusedTokens: {},
    outbox: [batch('b1', ['i1', 'i2'])],
    loggingOut: [],
    retry: { consecutiveTransientFailures: 0, backoffUntil: null, retryAfterUntil: null, storageFailing: false },
    ...overrides,
  }) as unknown as SyncContext

describe('R8 R14 S1: what must be durable before the next request', () => {
  it('R14 R8 S1: a state change may follow the request only when a delivery made it: batches leaving, a count that did not grow', () => {
    const before = context()
    expect(stateMayFollowRequest(null, before)).toBe(false)
    expect(stateMayFollowRequest(before, before)).toBe(true)
    expect(stateMayFollowRequest(before, { ...before })).toBe(true)
    expect(stateMayFollowRequest(before, { ...before, identifier: null })).toBe(false)
    expect(stateMayFollowRequest(before, { ...before, tokens: {} })).toBe(false)
    expect(stateMayFollowRequest(before, { ...before, refusedTokens: {} })).toBe(false)
    expect(stateMayFollowRequest(before, { ...before, loggingOut: [] })).toBe(false)
    expect(stateMayFollowRequest(before, { ...before, session: { ...session } })).toBe(true)
    expect(stateMayFollowRequest(before, { ...before, session: { ...session, consecutiveAuthFailures: 0 } })).toBe(true)
    expect(stateMayFollowRequest(before, { ...before, session: { ...session, consecutiveAuthFailures: 4 } })).toBe(false)
    expect(stateMayFollowRequest(before, { ...before, session: { ...session, id: 's2' as SyncContext['session']['id'] } })).toBe(false)
    expect(stateMayFollowRequest(before, { ...before, outbox: [] })).toBe(true)
    expect(stateMayFollowRequest(before, { ...before, outbox: [...before.outbox] })).toBe(true)
    expect(stateMayFollowRequest(before, { ...before, outbox: [...before.outbox, batch('b2', ['i3'])] })).toBe(false)
    expect(stateMayFollowRequest(before, { ...before, outbox: [batch('b2', ['i3'])] })).toBe(false)
    const two = context({ outbox: [batch('b1', ['i1']), batch('b2', ['i3'])] })
    expect(stateMayFollowRequest(two, { ...two, outbox: [batch('b2', ['i3'])] })).toBe(true)
    expect(stateMayFollowRequest(two, { ...two, outbox: [batch('b2', ['i3']), batch('b3', ['i4'])] })).toBe(false)
  })
  it('R14 R13: only an acknowledgement (removals and nothing else) may follow the request', () => {
    const ack: StorageWrite = { remove: ['i1' as never] }
    expect(writeMayFollowRequest(ack)).toBe(true)
    expect(writeMayFollowRequest({})).toBe(false)
    expect(writeMayFollowRequest({ remove: [] })).toBe(false)
    expect(writeMayFollowRequest({ ...ack, append: [] })).toBe(true)
    expect(writeMayFollowRequest({ ...ack, append: [item('i9')] })).toBe(false)
    expect(writeMayFollowRequest({ ...ack, removeIdentities: [] })).toBe(true)
    expect(writeMayFollowRequest({ ...ack, removeIdentities: ['anon' as IdentityKey] })).toBe(false)
    expect(writeMayFollowRequest({ ...ack, deadLetters: [] })).toBe(true)
    expect(writeMayFollowRequest({ ...ack, deadLetters: [{ item: item('i1'), status: 400, reason: 'r', at: 1 }] })).toBe(false)
    expect(writeMayFollowRequest({ ...ack, state: {} })).toBe(true)
    expect(writeMayFollowRequest({ ...ack, state: { session: null } })).toBe(false)
    expect(writeMayFollowRequest({ ...ack, erase: false })).toBe(true)
    expect(writeMayFollowRequest({ ...ack, erase: true })).toBe(false)
  })
})

describe('R13 R14: the persisted control state', () => {
  it('R13 R14: the first state writes every key in a versioned envelope, frozen batches as ids; later only the keys that changed', () => {
    const first = context()
    expect(STATE_FORMAT_VERSION).toBe(1)
    expect(stateChanges(null, first)).toMatchObject({
      identity: { v: 1, value: 'u1' },
      session: { v: 1, value: session },
      tokens: { v: 1, value: {} },
      refusedTokens: { v: 1, value: {} },
      outbox: { v: 1, value: [{ batchId: 'b1', identity: 'anon', itemIds: ['i1', 'i2'] }] },
      loggingOut: { v: 1, value: [] },
    })
    expect(stateChanges(first, first)).toEqual({})
    expect(stateChanges(first, { ...first })).toEqual({})
    const tokens = { u1: { token: 't', status: 'usable', expiresAt: null } } as unknown as SyncContext['tokens']
    expect(stateChanges(first, { ...first, tokens })).toEqual({ tokens: { v: 1, value: tokens } })
    expect(Object.keys(stateChanges(first, { ...first, identifier: null, loggingOut: ['u1'] as unknown as SyncContext['loggingOut'] }))).toEqual(['identity', 'loggingOut'])
    expect(stateChanges(first, { ...first, outbox: [] })).toEqual({ outbox: { v: 1, value: [] } })
  })
  it('R13: what was persisted is read back; records of another version or shape are skipped and counted, never fatal', () => {
    const envelope = (value: unknown) => ({ v: 1, value }) as never
    const tokens = {
      u1: { token: 'a', status: 'usable', expiresAt: 5 },
      u2: { token: 'b', status: 'rejected', expiresAt: null, errorCode: 'INVALID_SIGNATURE' },
      u3: { token: 'c', status: 'invalid', expiresAt: null, errorCode: 'DECRYPTION_FAILED' },
      u4: { token: 'd', status: 'expired', expiresAt: 1 },
    }
    const refused = { u1: [{ digest: 'abc', code: 'UNKNOWN' }] }
    const good = decodeRestoredState({
      pendingByIdentity: { anon: 2 },
      deadLetterCount: 4,
      skippedRecords: 1,
      state: {
        identity: envelope('u1'),
        session: envelope(session),
        tokens: envelope(tokens),
        refusedTokens: envelope(refused),
        outbox: envelope([{ batchId: 'b1', identity: 'anon', itemIds: ['i1'] }]),
        loggingOut: envelope(['u9']),
      },
    })
    expect(good.restored).toMatchObject({ identifier: 'u1', session, tokens, refusedTokens: refused, pendingByIdentity: { anon: 2 }, deadLetterCount: 4, loggingOut: ['u9'] })
    expect(good.outbox).toEqual([{ batchId: 'b1', identity: 'anon', itemIds: ['i1'] }])
    expect(good.skipped).toBe(1)
    const empty = decodeRestoredState({ pendingByIdentity: {}, deadLetterCount: 0, skippedRecords: 0, state: {} })
    expect(empty.restored).toMatchObject({ identifier: null, session: null, tokens: {}, refusedTokens: {}, pendingByIdentity: {}, deadLetterCount: 0, loggingOut: [] })
    expect(empty.outbox).toEqual([])
    expect(empty.skipped).toBe(0)
    expect(decodeRestoredState({ pendingByIdentity: {}, deadLetterCount: 0, skippedRecords: 0, state: { identity: envelope(null) } }).restored.identifier).toBeNull()
    const bad = {
      identity: { v: 2, value: 'u1' },
      session: envelope({ ...session, consecutiveAuthFailures: '3' }),
      tokens: envelope({ u1: { token: 'a', status: 'lost', expiresAt: null } }),
      refusedTokens: envelope({ u1: [{ digest: 'abc', code: 'NOT_A_CODE' }] }),
      outbox: envelope([{ batchId: 'b1', identity: 'anon' }]),
      loggingOut: envelope([1]),
    }
    const skipped = decodeRestoredState({ pendingByIdentity: {}, deadLetterCount: 0, skippedRecords: 2, state: bad as never })
    expect(skipped.restored).toEqual(empty.restored)
    expect(skipped.outbox).toEqual([])
    expect(skipped.skipped).toBe(8)
    for (const [key, value] of Object.entries({
      session: { id: 's', startedAt: 1, lastActivityAt: '2', consecutiveAuthFailures: 0 },
      tokens: { u1: { token: 1, status: 'usable', expiresAt: null } },
      refusedTokens: { u1: { digest: 'a', code: 'UNKNOWN' } },
      outbox: [{ batchId: 'b1', identity: 1, itemIds: [] }],
    })) {
      expect(decodeRestoredState({ pendingByIdentity: {}, deadLetterCount: 0, skippedRecords: 0, state: { [key]: envelope(value) } }).skipped, key).toBe(1)
    }
    expect(decodeRestoredState({ pendingByIdentity: {}, deadLetterCount: 0, skippedRecords: 0, state: { tokens: envelope({ u1: { token: 'a', status: 'usable', expiresAt: null, errorCode: 'nope' } }) } }).skipped).toBe(1)
  })
  it('R11 R7: a refused token stored whole by an older version is read back as its digest only', () => {
    const restored = decodeRestoredState({
      pendingByIdentity: {},
      deadLetterCount: 0,
      skippedRecords: 0,
      state: { refusedTokens: { v: 1, value: { u1: [{ token: 'whole.token.value', code: 'INVALID_SIGNATURE' }, { digest: 'd1', code: 'UNKNOWN' }] } } },
    })
    expect(restored.restored.refusedTokens).toEqual({ u1: [{ digest: hash64('whole.token.value'), code: 'INVALID_SIGNATURE' }, { digest: 'd1', code: 'UNKNOWN' }] })
    expect(JSON.stringify(restored)).not.toContain('whole.token.value')
  })
  it('R14: frozen batches get their items back from the queue, in order; items gone are left out, an empty batch is dropped', async () => {
    const opened = await createMemoryStorage().open('app')()
    if (E.isLeft(opened)) throw new Error('no storage')
    const namespace: StorageNamespace = opened.right
    await namespace.commit({ append: [item('a1'), item('a2'), item('a3'), item('u1', 'user:x'), item('u2', 'user:x')] })()
    const peeks: [string, number][] = []
    const watched: StorageNamespace = { ...namespace, peek: (identity, limit) => (peeks.push([identity, limit]), namespace.peek(identity, limit)) }
    const rebuilt = await rebuildOutbox(watched, [
      { batchId: 'b1' as never, identity: 'anon' as IdentityKey, itemIds: ['a1', 'a2'] },
      { batchId: 'b2' as never, identity: 'user:x' as IdentityKey, itemIds: ['u2', 'gone'] },
      { batchId: 'b3' as never, identity: 'anon' as IdentityKey, itemIds: ['a3'] },
      { batchId: 'b4' as never, identity: 'anon' as IdentityKey, itemIds: ['gone-too'] },
    ])
    expect(rebuilt.map((b) => [b.batchId, b.identity, b.items.map((i) => i.id)])).toEqual([
      ['b1', 'anon', ['a1', 'a2']],
      ['b2', 'user:x', ['u2']],
      ['b3', 'anon', ['a3']],
    ])
    expect(peeks).toEqual([
      ['anon', 4],
      ['user:x', 2],
    ])
    const failing: StorageNamespace = { ...namespace, peek: () => () => Promise.resolve(E.left({ kind: 'io', message: 'x' })) }
    expect(await rebuildOutbox(failing, [{ batchId: 'b1' as never, identity: 'anon' as IdentityKey, itemIds: ['a1'] }])).toEqual([])
  })
})

describe('R16: the token provider service', () => {
  const setup = (provider: (identifier: string, reason: string) => Promise<string>, random = () => 1) => {
    const clock = createManualClock(1_000)
    const delivered: string[] = []
    const gaveUp: string[] = []
    const calls: string[] = []
    const service = createTokenProviderService({
      provider: (identifier, reason) => (calls.push(`${identifier}:${reason}@${clock.now()}`), provider(identifier, reason)),
      clock,
      random,
      timeoutMs: 500,
      refreshLeadMs: 100,
      backoff: { baseMs: 10, factor: 2, capMs: 1_000 },
      deliver: (identifier, token) => (delivered.push(`${identifier}=${token}`), true),
      onGiveUp: (identifier, reason) => gaveUp.push(`${identifier}: ${reason}`),
    })
    return { clock, delivered, gaveUp, calls, service }
  }
  const flushPromises = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }
  it('R16: one call per identifier in flight, shared; the token is delivered; an empty answer is a failure retried with backoff', async () => {
    const answers = ['', 'tok']
    const { clock, delivered, calls, service } = setup(async () => answers.shift() ?? 'late')
    service.request('u1', 'missing')
    service.request('u1', 'rejected')
    service.request('u2', 'invalid')
    expect(calls).toEqual(['u1:missing@1000', 'u2:invalid@1000'])
    await flushPromises()
    expect(delivered).toEqual(['u2=tok'])
    expect(clock.pendingTimers()).toBe(1)
    // After the first failure: backoff of attempt 1, random 1 -> baseMs (10 ms).
    clock.advance(9)
    expect(calls).toHaveLength(2)
    clock.advance(1)
    expect(calls).toEqual(['u1:missing@1000', 'u2:invalid@1000', 'u1:missing@1010'])
    await flushPromises()
    expect(delivered).toEqual(['u2=tok', 'u1=late'])
    expect(clock.pendingTimers()).toBe(0)
  })
  it(`R16: failures (rejections, throws, timeouts) are retried with growing delays, ${MAX_PROVIDER_ATTEMPTS} attempts in all, then it gives up`, async () => {
    expect(MAX_PROVIDER_ATTEMPTS).toBe(5)
    let n = 0
    const { clock, gaveUp, calls, delivered } = (() => {
      const s = setup(() => {
        n++
        if (n === 1) return Promise.reject(new Error('down'))
        if (n === 2) throw new Error('sync throw')
        return new Promise<string>(() => undefined)
      })
      s.service.request('u1', 'missing')
      return s
    })()
    await flushPromises()
    clock.advance(10)
    await flushPromises()
    expect(calls).toEqual(['u1:missing@1000', 'u1:missing@1010'])
    clock.advance(20)
    expect(calls).toHaveLength(3)
    clock.advance(499)
    await flushPromises()
    expect(calls).toHaveLength(3)
    clock.advance(1)
    await flushPromises()
    clock.advance(40)
    expect(calls).toHaveLength(4)
    clock.advance(500)
    await flushPromises()
    clock.advance(80)
    expect(calls).toHaveLength(5)
    expect(gaveUp).toEqual([])
    clock.advance(500)
    await flushPromises()
    expect(gaveUp).toEqual(['u1: tokenProvider timed out'])
    clock.advance(10_000)
    expect(calls).toHaveLength(5)
    expect(delivered).toEqual([])
  })
  it('R16: it gives up after the last attempt, saying what went wrong; retries come at least 1 ms apart', async () => {
    const cases: [() => Promise<string>, string][] = [
      [() => Promise.reject(new Error('down')), 'tokenProvider failed: Error: down'],
      [() => Promise.resolve(''), 'tokenProvider returned no token'],
      [() => Promise.resolve(42 as unknown as string), 'tokenProvider returned no token'],
      // Not a string, though it has a length: never handed over as a token.
      [() => Promise.resolve(['a-token'] as unknown as string), 'tokenProvider returned no token'],
      [
        () => {
          throw new Error('sync')
        },
        'tokenProvider threw: Error: sync',
      ],
    ]
    for (const [provider, reason] of cases) {
      const { clock, gaveUp, calls, service } = setup(provider, () => 0)
      service.request('u1', 'missing')
      for (let i = 0; i < MAX_PROVIDER_ATTEMPTS; i++) {
        await flushPromises()
        expect(clock.nextTimerAt(), `${reason} ${i}`).toBe(i < MAX_PROVIDER_ATTEMPTS - 1 ? clock.now() + 1 : null)
        clock.advance(1)
      }
      expect(calls, reason).toHaveLength(MAX_PROVIDER_ATTEMPTS)
      expect(gaveUp, reason).toEqual([`u1: ${reason}`])
    }
  })
  it('R16: tokens the client checks refuse count as failed attempts and are named so at the give-up; a later request starts counting afresh', async () => {
    const clock = createManualClock(1_000)
    const gaveUp: string[] = []
    let calls = 0
    const service = createTokenProviderService({
      provider: async () => (calls++, 'refused-token'),
      clock,
      random: () => 0,
      timeoutMs: 500,
      refreshLeadMs: 100,
      backoff: { baseMs: 10, factor: 2, capMs: 1_000 },
      deliver: () => false,
      onGiveUp: (identifier, reason) => gaveUp.push(`${identifier}: ${reason}`),
    })
    const runOut = async () => {
      for (let i = 0; i < MAX_PROVIDER_ATTEMPTS; i++) {
        for (let j = 0; j < 5; j++) await Promise.resolve()
        clock.advance(1)
      }
    }
    service.request('u1', 'rejected')
    await runOut()
    expect(calls).toBe(MAX_PROVIDER_ATTEMPTS)
    expect(gaveUp).toEqual(['u1: tokenProvider returned a token the client checks refuse'])
    // The give-up forgets the count: the next trigger gets every attempt again.
    service.request('u1', 'rejected')
    await runOut()
    expect(calls).toBe(2 * MAX_PROVIDER_ATTEMPTS)
    expect(gaveUp).toHaveLength(2)
  })
  it('R16: an answer that comes after the timeout is ignored; the retry asks again', async () => {
    const pending: ((token: string) => void)[] = []
    const { clock, calls, delivered, service } = setup(() => new Promise<string>((resolve) => pending.push(resolve)))
    service.request('u1', 'missing')
    clock.advance(500)
    pending[0]?.('late')
    await flushPromises()
    expect(delivered).toEqual([])
    clock.advance(10)
    expect(calls).toEqual(['u1:missing@1000', 'u1:missing@1510'])
    pending[1]?.('ok')
    await flushPromises()
    expect(delivered).toEqual(['u1=ok'])
  })
  it('R16: a refresh is asked refreshLeadMs before exp, re-armed by a newer token, never for a token without exp, and stop ends everything', async () => {
    const { clock, calls, service, delivered } = setup(async () => 'fresh')
    service.scheduleRefresh('u1', 2_000)
    service.scheduleRefresh('u1', 3_000)
    service.scheduleRefresh('u2', null)
    service.scheduleRefresh('u3', 500)
    expect(clock.pendingTimers()).toBe(2)
    clock.advance(0)
    expect(calls).toEqual(['u3:expiring@1000'])
    await flushPromises()
    clock.advance(1_899)
    expect(calls).toHaveLength(1)
    clock.advance(1)
    expect(calls).toEqual(['u3:expiring@1000', 'u1:expiring@2900'])
    await flushPromises()
    expect(delivered).toEqual(['u3=fresh', 'u1=fresh'])
    service.scheduleRefresh('u1', 10_000)
    service.request('u4', 'missing')
    service.stop()
    await flushPromises()
    expect(clock.pendingTimers()).toBe(0)
    expect(delivered).toEqual(['u3=fresh', 'u1=fresh'])
    service.request('u5', 'missing')
    service.scheduleRefresh('u5', 10_000)
    expect(calls.some((call) => call.startsWith('u5'))).toBe(false)
    expect(clock.pendingTimers()).toBe(0)
  })
})

describe('R18 R19: what the inspector receives', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl'
  const makeRef = () => {
    const ref = {
      id: 'actor-1',
      getSnapshot: () => ({ context: { token, n: 1 } }),
      send: (event: { type: string }) => ({ sent: event }),
      whoAmI(this: unknown) {
        return this === ref ? 'the actor' : 'someone else'
      },
    }
    return ref
  }
  it('R18 R19: event data is a plain copy with tokens fingerprinted; actor references stay usable, their snapshot reads redacted', () => {
    const seen: Record<string, unknown>[] = []
    const inspect = redactedInspection((event) => seen.push(event as unknown as Record<string, unknown>))
    const ref = makeRef()
    const transitions = [{ eventType: 'X' }]
    const snapshot = { toJSON: () => ({ context: { token } }) }
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    inspect({ type: '@xstate.event', actorRef: ref, sourceRef: ref, targetRef: 'plain', _transitions: transitions, event: { type: 'TOKEN_PASSED', token }, snapshot, fn: () => 1, cyclic, big: 10n } as never)
    inspect({ type: '@xstate.snapshot', actorRef: ref } as never)
    const [first, second] = seen
    expect(first?.['type']).toBe('@xstate.event')
    expect(first?.['event']).toEqual({ type: 'TOKEN_PASSED', token: fingerprintToken(token) })
    expect(first?.['snapshot']).toEqual({ context: { token: fingerprintToken(token) } })
    expect(first?.['_transitions']).toBe(transitions)
    expect(first?.['fn']).toBeUndefined()
    expect('fn' in (first ?? {})).toBe(true)
    expect(first?.['cyclic']).toBe('[unserialisable]')
    expect(first?.['big']).toBe('[unserialisable]')
    expect(first?.['targetRef']).toBe('plain')
    const proxied = first?.['actorRef'] as ReturnType<typeof makeRef>
    expect(proxied).not.toBe(ref)
    expect(proxied.id).toBe('actor-1')
    expect(proxied.whoAmI()).toBe('the actor')
    // Methods other than getSnapshot are the actor's own, arguments and results untouched.
    const event = { type: 'PING' }
    expect(proxied.send(event).sent).toBe(event)
    expect(proxied.getSnapshot()).toEqual({ context: { token: fingerprintToken(token), n: 1 } })
    expect(second?.['actorRef']).toBe(proxied)
    // Every reference is passed through as the same redacting proxy; an absent one stays absent.
    expect(first?.['sourceRef']).toBe(proxied)
    inspect({ type: '@xstate.event', actorRef: ref, sourceRef: null, targetRef: undefined } as never)
    expect(seen[2]?.['sourceRef']).toBeNull()
    expect(seen[2]?.['targetRef']).toBeUndefined()
    expect(JSON.stringify(seen.map((event) => ({ ...event, actorRef: null })))).not.toContain(token)
  })
  it('R19: an observer inspector receives the events through next; a throwing inspector stops nothing', () => {
    const seen: string[] = []
    redactedInspection({ next: (event) => seen.push(event.type) })({ type: '@xstate.event' } as never)
    expect(seen).toEqual(['@xstate.event'])
    expect(() => redactedInspection({})({ type: '@xstate.event' } as never)).not.toThrow()
    expect(() =>
      redactedInspection(() => {
        throw new Error('inspector broke')
      })({ type: '@xstate.event' } as never),
    ).not.toThrow()
  })
})

describe('R15: late listeners and the unresolved errors', () => {
  const error = (identifier?: string) =>
    ({ type: 'JWT', source: 'server', accountMeta: { appId: 'a' }, details: { code: 'UNKNOWN', numericCode: 4999, ...(identifier === undefined ? {} : { identifier }) } }) as never
  it('R15: a late listener receives exactly the unresolved errors, nothing else; errors without an identifier are kept under none and resolved with it', () => {
    const listeners = createAuthListeners(() => undefined)
    listeners.deliver(error('u1'), 'k1')
    listeners.deliver(error(), 'k2')
    const late: unknown[] = []
    listeners.register((e) => late.push(e))
    expect(late).toHaveLength(2)
    expect(late.every((e) => e !== undefined)).toBe(true)
    listeners.resolve('')
    const later: unknown[] = []
    listeners.register((e) => later.push(e))
    expect(later).toEqual([error('u1')])
  })
})

describe('R9 R13: a broken transport or storage costs a retry, never an item', () => {
  type Line = { level: string; message: string; fields: Record<string, unknown> }
  const logger = (lines: Line[]) => ({
    debug: () => undefined,
    info: (message: string, fields: Record<string, unknown>) => lines.push({ level: 'info', message, fields }),
    warn: (message: string, fields: Record<string, unknown>) => lines.push({ level: 'warn', message, fields }),
    error: (message: string, fields: Record<string, unknown>) => lines.push({ level: 'error', message, fields }),
  })
  it('R9: a transport that throws, or whose request rejects, is a transient network failure; the items go later', async () => {
    for (const broken of ['throws', 'rejects'] as const) {
      const lines: Line[] = []
      const server = createScriptedServer()
      let failures = 1
      const transport = {
        send: (request: Parameters<typeof server.transport.send>[0]) => {
          if (failures > 0) {
            failures--
            if (broken === 'throws') throw new Error('socket gone')
            return () => Promise.reject(new Error('socket gone'))
          }
          return server.transport.send(request)
        },
      }
      const clock = createManualClock(START)
      const sdk = createSdk(baseConfig(), { transport, clock, logger: logger(lines), random: () => 0.5 })
      sdk.track('e')
      expect(expectRight(await sdk.flush())).toMatchObject({ delivered: 0, pending: 1, waiting: ['backoff'] })
      const warned = lines.find((line) => line.message === 'transient failure, will retry')
      expect(warned?.fields['reason'], broken).toBe(broken === 'throws' ? 'network: transport threw: Error: socket gone' : 'network: transport rejected: Error: socket gone')
      expect(expectRight(await sdk.flush())).toMatchObject({ delivered: 1, pending: 0 })
      await sdk.shutdown()
    }
  })
  it('R13 R9: a storage read that fails or rejects is a transient storage failure, said with its reason; the items go later', async () => {
    for (const broken of ['fails', 'rejects'] as const) {
      const lines: Line[] = []
      let failures = 1
      const storage = storageWith((ns) => ({
        peek: (identity, limit) => {
          if (failures === 0) return ns.peek(identity, limit)
          failures--
          return broken === 'fails' ? () => Promise.resolve(E.left({ kind: 'io' as const, message: 'bad sector' })) : () => Promise.reject(new Error('bad sector'))
        },
      }))
      const server = createScriptedServer()
      const sdk = createSdk(baseConfig(), { transport: server.transport, storage, clock: createManualClock(START), logger: logger(lines), random: () => 0.5 })
      sdk.track('e')
      await sdk.whenPersisted()
      // The explicit flush does not wait for the backoff: it reads again at once, and delivers.
      expect(expectRight(await sdk.flush())).toMatchObject({ delivered: 1, pending: 0 })
      const warned = lines.find((line) => line.message === 'transient failure, will retry')
      expect(warned?.fields['reason'], broken).toBe(broken === 'fails' ? 'storage: io: bad sector' : 'storage: io: Error: bad sector')
      await sdk.shutdown()
    }
  })
  it('R13: a commit that rejects is reported as an I/O problem and retried until it lands', async () => {
    let failures = 1
    const storage = storageWith((ns) => ({
      commit: (write) => {
        if (failures === 0 || (write.append?.length ?? 0) === 0) return ns.commit(write)
        failures--
        return () => Promise.reject(new Error('EIO'))
      },
    }))
    const clock = createManualClock(START)
    const problems: unknown[] = []
    const sdk = createSdk(baseConfig(), { transport: createScriptedServer().transport, storage, clock })
    sdk.registerProblemListener((problem) => problems.push(problem))
    await sdk.whenPersisted()
    sdk.track('e')
    const persisted = sdk.whenPersisted()
    await settle()
    expect(problems).toEqual([{ type: 'STORAGE', kind: 'io', message: 'Error: EIO' }])
    clock.advance(1_000)
    await persisted
    expect(expectRight(await sdk.getQueue()).pending).toEqual([{ identity: 'anon', count: 1, oldestTimestamp: START }])
    await sdk.shutdown()
  })
})

describe('R13 R11 R14: the persister', () => {
  const setup = (options: { commit?: (write: StorageWrite) => Promise<unknown>; peek?: StorageNamespace['peek'] } = {}) => {
    const commits: StorageWrite[] = []
    const failures: unknown[] = []
    const clock = createManualClock(0)
    const namespace = {
      commit: (write: StorageWrite) => () => {
        commits.push(write)
        return (options.commit?.(write) ?? Promise.resolve(E.right({ removedByIdentity: {} }))) as never
      },
      peek: options.peek ?? (() => () => Promise.resolve(E.right([]))),
    } as unknown as StorageNamespace
    const persister = createPersister({ namespace: () => namespace, clock, onFailure: (failure) => failures.push(failure), onRecovered: () => failures.push('recovered') })
    return { persister, commits, failures, clock }
  }
  it('R11 R13: an item appended after a deletion waits in a group of its own, so the deletion cannot take it', async () => {
    const { persister, commits } = setup()
    persister.enqueue({ removeIdentities: ['user:u1' as IdentityKey] })
    persister.enqueue({ append: [], state: { k: 1 } })
    persister.appendItem(item('a1', 'user:u1'))
    await persister.drained()
    expect(commits).toEqual([{ removeIdentities: ['user:u1'], state: { k: 1 } }, { append: [item('a1', 'user:u1')] }])
  })
  it('R13: an enqueued write keeps its appends, removals, dead letters, state and erase, in one commit', async () => {
    const { persister, commits } = setup()
    const letter = { item: item('d1'), status: 400, reason: 'r', at: 1 }
    persister.enqueue({ append: [item('a1')], remove: ['r1' as never], deadLetters: [letter], state: { k: 1 }, erase: true })
    persister.setState('s', 2)
    await persister.drained()
    expect(commits).toEqual([{ append: [item('a1')], remove: ['r1'], deadLetters: [letter], state: { k: 1, s: 2 }, erase: true }])
  })
  it('R14 R8: before a request only the writes that must precede it are waited for; by default every write must', async () => {
    for (const write of ['enqueue', 'setState'] as const) {
      const { persister, commits } = setup()
      persister.hold(true)
      if (write === 'enqueue') persister.enqueue({ state: { k: 1 } }, true)
      else persister.setState('k', 1, true)
      await persister.readyForRequest()
      expect(commits, `${write} that may follow`).toEqual([])
      if (write === 'enqueue') persister.enqueue({ state: { k: 2 } })
      else persister.setState('k', 2)
      await persister.readyForRequest()
      expect(commits, `${write} that must precede`).toEqual([{ state: { k: 2 } }])
    }
  })
  it('R13: a commit that throws or rejects is an I/O failure, reported once, retried with a timer that stop() clears', async () => {
    let attempts = 0
    const { persister, failures, clock } = setup({
      commit: () => {
        attempts++
        if (attempts === 1) throw new Error('EIO')
        return Promise.reject(new Error('EIO again'))
      },
    })
    persister.setState('k', 1)
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(failures).toEqual([{ kind: 'io', message: 'Error: EIO' }])
    expect(persister.failing()).toBe(true)
    clock.advance(1_000)
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(attempts).toBe(2)
    expect(failures).toHaveLength(1)
    expect(clock.pendingTimers()).toBe(1)
    persister.stop()
    expect(clock.pendingTimers()).toBe(0)
  })
  it('R13 R14: a read counts the writes enqueued while storage was read; a read that rejects is an I/O failure', async () => {
    let persisterRef: ReturnType<typeof createPersister> | null = null
    const { persister } = setup({
      peek: () => () => {
        persisterRef?.appendItem(item('late'))
        return Promise.resolve(E.right([item('stored')]))
      },
    })
    persisterRef = persister
    persister.hold(true)
    const read = await persister.peek('anon' as IdentityKey, 10)
    expect(E.isRight(read) ? read.right.map((i) => i.id) : read).toEqual(['stored', 'late'])
    const failing = setup({ peek: () => () => Promise.reject(new Error('bad sector')) })
    expect(await failing.persister.peek('anon' as IdentityKey, 10)).toEqual(E.left({ kind: 'io', message: 'Error: bad sector' }))
  })
})
