import * as E from 'fp-ts/lib/Either.js'
import { createMemoryStorage, type StoredItem } from '@jwt-sync/core'
import { describe, expect, it } from 'vitest'
import { createChannelStorage } from '../src/ports/channelStorage.js'
import { createChannelTransport } from '../src/ports/channelTransport.js'
import { createChannelLogger } from '../src/ports/channelLogger.js'
import type { BridgeMessage } from '../src/protocol/bridgeMessages.js'
import { createChannelHarness, flushPromises } from './support/channelHarness.js'

const request = { url: 'http://127.0.0.1:9/v1/apps/a/batches', method: 'POST' as const, headers: { Authorization: 'Bearer abc' }, body: '{}', timeoutMs: 1000 }
const lastOf = <K extends BridgeMessage['kind']>(sent: BridgeMessage[], kind: K): Extract<BridgeMessage, { kind: K }> => {
  const found = [...sent].reverse().find((m) => m.kind === kind)
  if (found === undefined) throw new Error(`no ${kind} message was sent`)
  return found as Extract<BridgeMessage, { kind: K }>
}

describe('transport over the channel', () => {
  it('sends one http message and settles with the host response, header names lower-cased', async () => {
    const h = createChannelHarness()
    const result = createChannelTransport((m) => h.sent.push(m), h.pending, 500).send(request)()
    const http = lastOf(h.sent, 'http')
    expect(http.request).toEqual(request)
    const timer = lastOf(h.sent, 'setTimer')
    expect(timer.ms).toBe(1500)
    expect(h.answer(JSON.stringify({ v: 1, kind: 'httpResponse', id: http.id, response: { status: 401, headers: { 'Retry-After': '3' }, body: 'x' } }))).toEqual(E.right(undefined))
    expect(await result).toEqual(E.right({ status: 401, headers: { 'retry-after': '3' }, body: 'x' }))
    // The guard timer is cleared once the answer arrived.
    expect(lastOf(h.sent, 'clearTimer').timerId).toBe(timer.timerId)
  })

  it('a network failure from the host is a value, not a throw', async () => {
    const h = createChannelHarness()
    const result = createChannelTransport((m) => h.sent.push(m), h.pending, 0).send(request)()
    h.answer(JSON.stringify({ v: 1, kind: 'httpFailure', id: lastOf(h.sent, 'http').id, failure: { kind: 'network', message: 'refused' } }))
    expect(await result).toEqual(E.left({ kind: 'network', message: 'refused' }))
  })

  it('R9: a host that never answers gets a timeout failure through its own timer, and a late answer is refused', async () => {
    const h = createChannelHarness()
    const result = createChannelTransport((m) => h.sent.push(m), h.pending, 100).send(request)()
    const http = lastOf(h.sent, 'http')
    expect(h.fireAllTimers()).toBe(1)
    const outcome = await result
    expect(E.isLeft(outcome) && outcome.left.kind).toBe('timeout')
    expect(h.pending.size()).toBe(0)
    const late = h.answer(JSON.stringify({ v: 1, kind: 'httpResponse', id: http.id, response: { status: 200, headers: {}, body: '' } }))
    expect(E.isLeft(late) && late.left).toMatch(/no pending request/)
  })

  it('R20: compressBody "gzip" reaches the http message only when the host declared gzip', () => {
    const compressible = { ...request, compressBody: 'gzip' as const }
    const sentWith = (capabilities: { gzip?: boolean } | undefined, r: typeof request & { compressBody?: 'gzip' }) => {
      const h = createChannelHarness()
      void createChannelTransport((m) => h.sent.push(m), h.pending, 0, capabilities).send(r)()
      return lastOf(h.sent, 'http').request
    }
    expect(sentWith({ gzip: true }, compressible)).toEqual(compressible)
    // The core did not allow it (compression 'none', or after a 415): nothing to compress.
    expect(sentWith({ gzip: true }, request)).toEqual(request)
    // A host that cannot gzip gets the message it always got.
    expect(sentWith(undefined, compressible)).toEqual(request)
    expect(sentWith({}, compressible)).toEqual(request)
    expect(sentWith({ gzip: false }, compressible)).toEqual(request)
  })

  it('an answer of the wrong kind is refused and the request stays pending', async () => {
    const h = createChannelHarness()
    void createChannelTransport((m) => h.sent.push(m), h.pending, 0).send(request)()
    const refused = h.answer(JSON.stringify({ v: 1, kind: 'storageResult', id: lastOf(h.sent, 'http').id, value: null }))
    expect(E.isLeft(refused) && refused.left).toMatch(/answer it with httpResponse or httpFailure/)
    expect(h.pending.size()).toBe(1)
  })
})

const item = (id: string, identity: string): StoredItem =>
  ({ id, identity, type: 'event', name: 'e', attributes: { n: 1 }, timestamp: 1, sessionId: 's' }) as unknown as StoredItem

describe('storage over the channel', () => {
  /** A host that keeps its data in the core's memory storage and answers asynchronously. */
  const serve = (h: ReturnType<typeof createChannelHarness>) => {
    const backend = createMemoryStorage()
    return async (): Promise<void> => {
      await flushPromises()
      for (const m of h.sent.splice(0)) {
        if (m.kind !== 'storage') continue
        const ns = await backend.open(m.namespace)()
        if (E.isLeft(ns)) throw new Error('memory storage failed')
        const value: E.Either<unknown, unknown> =
          m.op === 'load' ? await ns.right.load()()
          : m.op === 'peek' ? await ns.right.peek(m.identity as never, m.limit)()
          : m.op === 'commit' ? await ns.right.commit(m.write as never)()
          : m.op === 'readDeadLetters' ? await ns.right.readDeadLetters(m.limit)()
          : E.right(null)
        h.answer(JSON.stringify({ v: 1, kind: 'storageResult', id: m.id, value: E.isRight(value) ? value.right : null }))
      }
    }
  }

  it('every storage port call is one namespaced message, and results come back decoded', async () => {
    const h = createChannelHarness()
    const host = serve(h)
    const storage = createChannelStorage((m) => h.sent.push(m), h.pending, 1000)
    const opening = storage.open('app-1')()
    await host()
    const ns = await opening
    if (E.isLeft(ns)) throw new Error(ns.left.message)
    const committing = ns.right.commit({ append: [item('i1', 'anon'), item('i2', 'user:alice')], state: { session: { id: 's' } } })()
    await host()
    expect(await committing).toEqual(E.right({ removedByIdentity: {} }))
    const peeking = ns.right.peek('user:alice' as never, 10)()
    await host()
    expect(await peeking).toEqual(E.right([item('i2', 'user:alice')]))
    const loading = ns.right.load()()
    await host()
    expect(await loading).toEqual(E.right({ pendingByIdentity: { anon: 1, 'user:alice': 1 }, deadLetterCount: 0, state: { session: { id: 's' } }, skippedRecords: 0 }))
    const removing = ns.right.commit({ removeIdentities: ['user:alice' as never] })()
    await host()
    expect(await removing).toEqual(E.right({ removedByIdentity: { 'user:alice': 1 } }))
    const closing = ns.right.close()
    await host()
    await closing
    const afterClose = await ns.right.load()()
    expect(E.isLeft(afterClose) && afterClose.left.kind).toBe('closed')
  })

  it('a storage result of the wrong shape is refused (field named), then the unanswered request fails as io', async () => {
    const h = createChannelHarness()
    const storage = createChannelStorage((m) => h.sent.push(m), h.pending, 1000)
    const opening = storage.open('app-1')()
    h.answer(JSON.stringify({ v: 1, kind: 'storageResult', id: lastOf(h.sent, 'storage').id, value: null }))
    const ns = await opening
    if (E.isLeft(ns)) throw new Error(ns.left.message)
    const peeking = ns.right.peek('anon' as never, 5)()
    const refused = h.answer(JSON.stringify({ v: 1, kind: 'storageResult', id: lastOf(h.sent, 'storage').id, value: [{ id: 3 }] }))
    expect(E.isLeft(refused) && refused.left).toMatch(/storageResult for peek/)
    h.fireAllTimers()
    const outcome = await peeking
    expect(E.isLeft(outcome) && outcome.left.kind).toBe('io')
  })

  it('a storage failure from the host passes through unchanged', async () => {
    const h = createChannelHarness()
    const opening = createChannelStorage((m) => h.sent.push(m), h.pending, 1000).open('x')()
    h.answer(JSON.stringify({ v: 1, kind: 'storageFailure', id: lastOf(h.sent, 'storage').id, failure: { kind: 'quota', message: 'disk full' } }))
    expect(await opening).toEqual(E.left({ kind: 'quota', message: 'disk full' }))
  })
})

describe('clock over the channel', () => {
  it('timers are host timers: setTimer, clearTimer, timerFired; a throwing callback is reported, not rethrown', () => {
    const h = createChannelHarness()
    const fired: string[] = []
    const a = h.clock.setTimeout(() => fired.push('a'), 250.4)
    const b = h.clock.setTimeout(() => fired.push('b'), -5)
    h.clock.setTimeout(() => {
      throw new Error('boom')
    }, 1)
    h.clock.clearTimeout(b)
    expect(h.sent.filter((m) => m.kind === 'setTimer').map((m) => (m.kind === 'setTimer' ? m.ms : 0))).toEqual([251, 0, 1])
    expect(h.fireAllTimers()).toBe(2)
    expect(fired).toEqual(['a'])
    expect(h.callbackErrors).toHaveLength(1)
    expect(h.clock.fire(a as string)).toBe(false)
  })

  it('now follows the host once it sends a reading', () => {
    const h = createChannelHarness()
    expect(Math.abs(h.clock.now() - Date.now())).toBeLessThan(50)
    h.clock.adoptHostTime(1_000_000)
    expect(h.clock.now()).toBeGreaterThanOrEqual(1_000_000)
    expect(h.clock.now()).toBeLessThan(1_000_050)
  })
})

describe('logger over the channel', () => {
  it('each line is one log message with its fields', () => {
    const sent: BridgeMessage[] = []
    createChannelLogger((m) => sent.push(m)).warn('sync failed', { status: 503, token: 'eyJhbGci' })
    expect(sent).toEqual([{ v: 1, kind: 'log', level: 'warn', message: 'sync failed', fields: { status: 503, token: 'eyJhbGci' } }])
  })
})
