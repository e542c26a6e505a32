import { createSdk } from '@jwt-sync/core'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createBridge } from '../src/bridge/createBridge.js'
import { decodeHostMessage } from '../src/protocol/decodeHostMessage.js'
import { createNodeHost } from './support/nodeHost.js'

const config = { appId: 'unit-app', baseUrl: 'http://127.0.0.1:9', environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: false } } }
const ok = () => ({ status: 200, body: { accepted: 1, duplicates: 0 } })

describe('bridge lifecycle', () => {
  it('calls before initialize are refused; a second initialize is refused; after shutdown a new SDK can start', async () => {
    const host = createNodeHost(createSdk, ok)
    expect(await host.call('track', { name: 'early' })).toMatchObject({ kind: 'error', error: { code: 'NOT_INITIALIZED' } })
    expect(await host.call('initialize', { config })).toMatchObject({ kind: 'result', value: { appId: 'unit-app' } })
    expect(await host.call('initialize', { config })).toMatchObject({ kind: 'error', error: { code: 'ALREADY_INITIALIZED' } })
    expect(await host.call('shutdown')).toMatchObject({ kind: 'result', value: null })
    expect(await host.call('getState')).toMatchObject({ kind: 'error', error: { code: 'NOT_INITIALIZED' } })
    expect(await host.call('initialize', { config: { ...config, appId: 'second-app' } })).toMatchObject({ kind: 'result', value: { appId: 'second-app' } })
  })

  it('R17: an invalid config is refused naming the field, and SDK input errors name theirs', async () => {
    const host = createNodeHost(createSdk, ok)
    expect(await host.call('initialize', { config: { ...config, environment: 'prod' } })).toMatchObject({
      kind: 'error',
      error: { code: 'INVALID_CONFIG', field: 'config.environment' },
    })
    expect((await host.call('initialize', { config })).kind).toBe('result')
    expect(await host.call('track', { name: '' })).toMatchObject({ kind: 'error', error: { code: 'INVALID_INPUT' } })
    // R1: with JWT disabled, passing a token is an error value.
    expect(await host.call('passAuthenticationDetails', { token: 'a.b.c', identifier: 'x' })).toMatchObject({ kind: 'error', error: { code: 'JWT_DISABLED' } })
  })

  it('R12: a tracked item is sent through the host and flush settles with the report', async () => {
    const bodies: string[] = []
    const host = createNodeHost(createSdk, (request) => {
      bodies.push(request.body)
      return ok()
    })
    await host.call('initialize', { config })
    expect(await host.call('track', { name: 'viewed', attributes: { page: 'home' } })).toMatchObject({ kind: 'result' })
    expect(await host.call('flush')).toMatchObject({ kind: 'result', value: { delivered: 1, pending: 0 } })
    expect(JSON.parse(bodies[0] ?? '{}')).toMatchObject({ identity: null, items: [{ type: 'event', name: 'viewed', attributes: { page: 'home' } }] })
  })

  it('a host function that throws does not break the bridge', () => {
    let calls = 0
    const bridge = createBridge(() => {
      calls++
      throw new Error('host bug')
    }, createSdk)
    expect(() => bridge.receive('{"v":1,"kind":"getState","id":"c1"}')).not.toThrow()
    expect(() => bridge.receive('nonsense')).not.toThrow()
    expect(calls).toBe(2)
  })

  it('the clock follows the host time once the host sends now', async () => {
    const answers: string[] = []
    const bridge = createBridge((json) => answers.push(json), createSdk)
    bridge.receive('{"v":1,"kind":"getState","id":"c1","now":1000000}')
    expect(bridge.clock.now()).toBeGreaterThanOrEqual(1_000_000)
    expect(bridge.clock.now()).toBeLessThan(1_000_100)
    bridge.receive('{"v":1,"kind":"getState","id":"c2","now":"soon"}')
    expect(JSON.parse(answers[1] ?? '{}')).toMatchObject({ kind: 'error', id: 'c2', error: { code: 'MALFORMED_MESSAGE', field: 'now' } })
    expect(bridge.clock.now()).toBeLessThan(1_000_100)
  })
})

describe('host capabilities (R20)', () => {
  it('R20: the initialize codec refuses a malformed capability with MALFORMED_MESSAGE naming the field', () => {
    const decoded = (capabilities: unknown) =>
      decodeHostMessage(JSON.stringify({ v: 1, kind: 'initialize', id: 'c1', config: {}, capabilities }))
    expect(decoded({ gzip: 'yes' })).toEqual(
      E.left({ id: 'c1', error: { code: 'MALFORMED_MESSAGE', message: 'initialize: capabilities.gzip: expected boolean, got "yes"', field: 'capabilities.gzip' } }),
    )
    expect(decoded(true)).toMatchObject(E.left({ id: 'c1', error: { code: 'MALFORMED_MESSAGE', field: 'capabilities' } }))
    expect(decoded(null)).toMatchObject(E.left({ id: 'c1', error: { code: 'MALFORMED_MESSAGE', field: 'capabilities' } }))
    // Optional, and open to capabilities a newer host declares that this bridge does not know.
    expect(E.isRight(decoded({ gzip: true }))).toBe(true)
    expect(E.isRight(decoded({ gzip: false, brotli: true }))).toBe(true)
    expect(E.isRight(decodeHostMessage(JSON.stringify({ v: 1, kind: 'initialize', id: 'c1', config: {} })))).toBe(true)
  })

  it('R20: an initialize with a malformed capability starts nothing; a well-formed one then starts the SDK', async () => {
    const host = createNodeHost(createSdk, ok)
    expect(await host.call('initialize', { config, capabilities: { gzip: 1 } })).toMatchObject({
      kind: 'error',
      error: { code: 'MALFORMED_MESSAGE', field: 'capabilities.gzip' },
    })
    expect(await host.call('getState')).toMatchObject({ kind: 'error', error: { code: 'NOT_INITIALIZED' } })
    expect(await host.call('initialize', { config, capabilities: { gzip: true } })).toMatchObject({ kind: 'result', value: { appId: 'unit-app' } })
  })
})
