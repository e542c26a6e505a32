import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeHostMessage } from '../src/protocol/decodeHostMessage.js'
import { sdkFactory } from '../src/bundle/sdkFactory.js'
import { createNodeHost } from './support/nodeHost.js'

const config = {
  appId: 'prop-app',
  baseUrl: 'http://127.0.0.1:9',
  environment: 'test',
  networkConfig: { authorizationConfig: { isJwtEnabled: true } },
}

/** A valid message of every host kind, to mutate. */
const templates: Record<string, unknown>[] = [
  { v: 1, kind: 'initialize', id: 'm1', config },
  { v: 1, kind: 'identify', id: 'm2', identifier: 'alice' },
  { v: 1, kind: 'passAuthenticationDetails', id: 'm3', token: 'a.b.c', identifier: 'alice' },
  { v: 1, kind: 'track', id: 'm4', name: 'viewed', attributes: { a: 1 } },
  { v: 1, kind: 'setUserAttribute', id: 'm5', name: 'plan', value: 'pro' },
  { v: 1, kind: 'getState', id: 'm6' },
  { v: 1, kind: 'appForeground', id: 'm7' },
  { v: 1, kind: 'httpResponse', id: 'h77', response: { status: 200, headers: {}, body: '' } },
  { v: 1, kind: 'httpFailure', id: 'h78', failure: { kind: 'network', message: 'x' } },
  { v: 1, kind: 'storageResult', id: 's77', value: null },
  { v: 1, kind: 'storageFailure', id: 's78', failure: { kind: 'io', message: 'x' } },
  { v: 1, kind: 'timerFired', timerId: 't77' },
]

/** A template with one field removed, replaced by a random JSON value, or one added. */
const mutated = fc
  .tuple(fc.constantFrom(...templates), fc.nat(), fc.jsonValue(), fc.constantFrom('drop', 'replace', 'add'))
  .map(([template, pick, value, how]) => {
    const copy: Record<string, unknown> = JSON.parse(JSON.stringify(template))
    const keys = Object.keys(copy)
    const key = keys[pick % keys.length] ?? 'v'
    if (how === 'drop') delete copy[key]
    else if (how === 'replace') copy[key] = value
    else copy[`extra${pick % 3}`] = value
    return JSON.stringify(copy)
  })

/** Anything a broken host might send. */
const hostileText = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  mutated,
  fc.constantFrom('', 'null', '{}', '[]', '{"v":1}', '{"v":"1","kind":"flush","id":"q"}', '{"v":1,"kind":"__proto__","id":"q"}', '{"v":1,"kind":"constructor"}'),
)

describe('bridge entry under hostile input', () => {
  it('R17: every host message gets one clear error answer or is accepted; the entry never throws', async () => {
    const host = createNodeHost(sdkFactory, () => ({ status: 200, body: { accepted: 1, duplicates: 0 } }))
    await fc.assert(
      fc.asyncProperty(hostileText, async (text) => {
        const before = host.received.length
        expect(() => host.bridge.receive(text)).not.toThrow()
        await host.settle()
        const rejection = decodeHostMessage(text)
        if (E.isLeft(rejection)) {
          // Refused: exactly one message, an error answer naming the problem; nothing else happened.
          const emitted = host.received.slice(before)
          expect(emitted).toHaveLength(1)
          const answer = emitted[0]
          expect(answer?.kind).toBe('error')
          if (answer?.kind === 'error') {
            expect(answer.id).toBe(rejection.left.id)
            expect(answer.error.code).toBe(rejection.left.error.code)
            expect(answer.error.message.length).toBeGreaterThan(0)
          }
        }
        expect(host.invalid).toEqual([])
      }),
      { numRuns: 300 },
    )
    // Non-string input to the entry point is refused too.
    for (const odd of [undefined, null, 42, {}, [], () => 1]) expect(() => host.bridge.receive(odd)).not.toThrow()
    expect(host.received.slice(-6).every((m) => m.kind === 'error')).toBe(true)
  })

  it('R17: malformed messages between valid calls leave the SDK state unchanged', async () => {
    const host = createNodeHost(sdkFactory, () => ({ status: 200, body: { accepted: 1, duplicates: 0 } }))
    const init = await host.call('initialize', { config })
    expect(init.kind).toBe('result')
    await host.settle()
    await fc.assert(
      fc.asyncProperty(fc.array(hostileText.filter((t) => E.isLeft(decodeHostMessage(t))), { minLength: 1, maxLength: 8 }), fc.string({ minLength: 1, maxLength: 20 }), async (garbage, eventName) => {
        const tracked = await host.call('track', { name: eventName })
        await host.settle()
        const before = await host.call('getState')
        const timersBefore = host.armedTimers()
        for (const text of garbage) host.bridge.receive(text)
        await host.settle()
        const after = await host.call('getState')
        expect(tracked.kind === 'result' || tracked.kind === 'error').toBe(true)
        expect(after.kind === 'result' && after.value).toEqual(before.kind === 'result' && before.value)
        expect(host.armedTimers()).toBe(timersBefore)
      }),
      { numRuns: 40 },
    )
    expect(host.invalid).toEqual([])
  })

  it('R17: SDK calls with random payloads each get exactly one answer echoing their id, and every message is valid protocol', async () => {
    const host = createNodeHost(sdkFactory, () => ({ status: 200, body: { accepted: 1, duplicates: 0 } }))
    expect((await host.call('initialize', { config })).kind).toBe('result')
    const payload = fc.oneof(
      fc.record({ kind: fc.constant('track'), name: fc.string(), attributes: fc.dictionary(fc.string(), fc.jsonValue()) }),
      fc.record({ kind: fc.constant('setUserAttribute'), name: fc.string(), value: fc.jsonValue() }),
      fc.record({ kind: fc.constant('identify'), identifier: fc.string() }),
      fc.record({ kind: fc.constant('passAuthenticationDetails'), token: fc.string(), identifier: fc.string() }),
      fc.record({ kind: fc.constantFrom('flush', 'getState', 'appForeground', 'appBackground', 'whenPersisted') }),
    )
    let n = 0
    await fc.assert(
      fc.asyncProperty(payload, async (fields) => {
        const id = `p${n++}`
        expect(() => host.send({ v: 1, id, ...fields })).not.toThrow()
        await host.settle()
        const answers = host.received.filter((m) => (m.kind === 'result' || m.kind === 'error') && m.id === id)
        expect(answers).toHaveLength(1)
      }),
      { numRuns: 150 },
    )
    expect(host.invalid).toEqual([])
    const state = await host.call('getState')
    expect(state.kind === 'result' && (state.value as { status: string }).status).toBe('running')
  })
})
