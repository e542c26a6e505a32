// Tests that pin the model and the ports' defaults exactly (R13 for the records drivers read back,
// R17 for bad config, R9/R12 for the system clock the timers run on): each one kills mutants that
// the broader tests let live (mutation/README.md).
import * as t from 'io-ts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolveConfig } from '../src/model/config.js'
import { describeDecodeFailure } from '../src/model/decodeFailure.js'
import { isLeft, isRight, left, right } from '../src/model/either.js'
import { AttributeValueCodec, DeadLetterCodec, StoredItemCodec } from '../src/model/item.js'
import { systemClock } from '../src/ports/clock.js'
import { silentLogger } from '../src/ports/logger.js'

const base = { appId: 'app', environment: 'test', baseUrl: 'https://ingest.example', networkConfig: { authorizationConfig: { isJwtEnabled: true } } }
const event = { id: 'i1', identity: 'anon', name: 'opened', timestamp: 5, sessionId: 's1', type: 'event', attributes: { a: [1, 'x', null, true, { b: {} }] } }
const attribute = { id: 'i2', identity: 'user:u', name: 'plan', timestamp: 6, sessionId: 's1', type: 'user_attribute', value: { tier: ['pro', 2, false, null] } }

describe('R13: what a driver reads back is what was stored, and a corrupt record is refused', () => {
  it('R13: an event and a user attribute decode back as they were written', () => {
    expect(StoredItemCodec.decode(event)).toEqual(right(event))
    expect(StoredItemCodec.decode(attribute)).toEqual(right(attribute))
    for (const value of [null, true, 0, '', [], {}, [[{ deep: [null] }]]]) expect(isRight(StoredItemCodec.decode({ ...attribute, value })), JSON.stringify(value)).toBe(true)
    const letter = { item: event, status: 400, reason: 'bad item', at: 9 }
    expect(DeadLetterCodec.decode(letter)).toEqual(right(letter))
  })
  it('R13: a stored item with the wrong kind, a missing or mistyped stamp, or values that are not JSON data is refused', () => {
    const { id: _id, ...noId } = event
    const { identity: _identity, ...noIdentity } = event
    const { name: _name, ...noName } = event
    const { timestamp: _timestamp, ...noTimestamp } = event
    const { sessionId: _sessionId, ...noSession } = event
    const { value: _value, ...noValue } = attribute
    const bad: unknown[] = [
      null,
      { ...event, type: 'other' },
      { ...event, type: 'user_attribute' },
      { ...attribute, type: 'event' },
      noId,
      noIdentity,
      noName,
      noTimestamp,
      noSession,
      noValue,
      { ...event, id: 1 },
      { ...event, identity: null },
      { ...event, name: 2 },
      { ...event, timestamp: '5' },
      { ...event, sessionId: false },
      { ...event, attributes: null },
      { ...event, attributes: 'a' },
      { ...event, attributes: { f: undefined } },
      { ...event, attributes: { f: () => 1 } },
      { ...event, attributes: { list: [undefined] } },
      { ...event, attributes: { nested: { f: 10n } } },
      { ...attribute, value: undefined },
      { ...attribute, value: [Symbol.for('s')] },
    ]
    for (const [index, record] of bad.entries()) expect(isLeft(StoredItemCodec.decode(record)), `bad record ${index}`).toBe(true)
    for (const letter of [{ item: event, status: '400', reason: 'r', at: 1 }, { item: event, status: 400, reason: 1, at: 1 }, { item: event, status: 400, reason: 'r' }, { item: { ...event, type: 'x' }, status: 400, reason: 'r', at: 1 }, { status: 400, reason: 'r', at: 1 }]) {
      expect(isLeft(DeadLetterCodec.decode(letter)), JSON.stringify(letter)).toBe(true)
    }
    expect(AttributeValueCodec.name).toBe('AttributeValue')
    expect(isRight(AttributeValueCodec.decode({ a: [1, { b: 'c' }] }))).toBe(true)
    expect(isLeft(AttributeValueCodec.decode({ a: [1, { b: undefined }] }))).toBe(true)
  })
})

describe('R17: results are values, fp-ts shaped', () => {
  it('R17: left and right are the two fp-ts Either shapes, told apart by their tag', () => {
    expect(left('e')).toEqual({ _tag: 'Left', left: 'e' })
    expect(right(1)).toEqual({ _tag: 'Right', right: 1 })
    expect([isLeft(left('e')), isRight(left('e')), isLeft(right(1)), isRight(right(1))]).toEqual([true, false, false, true])
  })
})

describe('R17: a bad config never throws and names the field', () => {
  it('R17: an option object that is null or not an object is refused by name, not read into', () => {
    const fieldOf = (input: unknown): string => {
      const resolved = resolveConfig(input)
      return isLeft(resolved) ? resolved.left.field : 'ok'
    }
    expect(fieldOf({ ...base, networkConfig: null })).toBe('networkConfig')
    expect(fieldOf({ ...base, networkConfig: 5 })).toBe('networkConfig')
    expect(fieldOf({ ...base, networkConfig: { authorizationConfig: null } })).toBe('networkConfig.authorizationConfig')
    expect(fieldOf({ ...base, backoff: null })).toBe('backoff')
    expect(fieldOf(undefined)).toBe('(root)')
    expect(fieldOf('config')).toBe('(root)')
  })
  it('R17: without baseUrl or dataCenter no data center is picked, not even one named "undefined"; an empty key names its object', () => {
    const { baseUrl: _baseUrl, ...noUrl } = base
    expect(resolveConfig({ ...noUrl, dataCenters: { undefined: 'https://eu.example' } })).toEqual(
      left({ type: 'INVALID_CONFIG', field: 'baseUrl', message: 'baseUrl: baseUrl or dataCenter is required' }),
    )
    expect(resolveConfig({ ...base, dataCenters: { '': 'not a url' } })).toMatchObject({ left: { field: 'dataCenters', message: 'dataCenters: expected http(s) URL, got "not a url"' } })
  })
  it('R17: the message of each range says the range', () => {
    expect(resolveConfig({ ...base, clockSkewMs: -1 })).toMatchObject({ left: { message: 'clockSkewMs: expected number of ms from 0 to 2147483647, got -1' } })
    expect(resolveConfig({ ...base, backoff: { factor: 0.5 } })).toMatchObject({ left: { message: 'backoff.factor: expected number from 1 to 100, got 0.5' } })
    expect(resolveConfig({ ...base, baseUrl: 'ftp://x' })).toMatchObject({ left: { message: 'baseUrl: expected http(s) URL, got "ftp://x"' } })
  })
  it('R17: an error without a context is described as a value at the root', () => {
    expect(describeDecodeFailure([{ value: 5, context: [] }])).toEqual({ field: '(root)', message: '(root): expected value, got 5' })
  })
  it('R17: of several bad fields the first is named; a value is shown whole up to 60 characters', () => {
    expect(resolveConfig({ ...base, maxBatchSize: 0, timeoutMs: 0 })).toMatchObject({ left: { field: 'maxBatchSize' } })
    const shown = (value: unknown): string => {
      const resolved = resolveConfig({ ...base, appId: value })
      return isLeft(resolved) ? resolved.left.message : 'ok'
    }
    const sixty = ['a'.repeat(56)]
    expect(JSON.stringify(sixty)).toHaveLength(60)
    expect(shown(sixty)).toBe(`appId: expected non-empty string, got ${JSON.stringify(sixty)}`)
    const sixtyOne = ['a'.repeat(57)]
    expect(shown(sixtyOne)).toBe(`appId: expected non-empty string, got ${JSON.stringify(sixtyOne).slice(0, 57)}...`)
    expect(shown(undefined)).toBe('appId: expected non-empty string, missing')
  })
  it('R17: a field below a union or an intersection is named by its path, without the member indices', () => {
    const codec = t.type({ list: t.array(t.union([t.type({ kind: t.literal('a') }), t.intersection([t.type({ n: t.number }), t.partial({ s: t.string })])])) })
    const failure = codec.decode({ list: [{ kind: 'a' }, { n: 1, s: 2 }] })
    // Of the union's members' failures at the same depth, the first member's is named.
    expect(isLeft(failure) ? describeDecodeFailure(failure.left) : null).toEqual({ field: 'list.1.kind', message: 'list.1.kind: expected "a", missing' })
    const inIntersection = t.type({ list: t.array(t.intersection([t.type({ n: t.number }), t.partial({ s: t.string })])) }).decode({ list: [{ n: 1, s: 2 }] })
    expect(isLeft(inIntersection) ? describeDecodeFailure(inIntersection.left) : null).toEqual({ field: 'list.0.s', message: 'list.0.s: expected string, got 2' })
  })
})

describe('R9 R12: the system clock the timers run on by default', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })
  it('R9 R12: it reads the time, runs a timer once, clears one, and its timers never keep the process alive', async () => {
    const clock = systemClock()
    const before = Date.now()
    const now = clock.now()
    expect(now).toBeGreaterThanOrEqual(before)
    expect(now).toBeLessThanOrEqual(Date.now())
    const ran: string[] = []
    const handle = clock.setTimeout(() => ran.push('ran'), 1) as { hasRef: () => boolean }
    expect(handle.hasRef()).toBe(false)
    const cleared = clock.setTimeout(() => ran.push('cleared'), 1)
    clock.clearTimeout(cleared)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(ran).toEqual(['ran'])
  })
  it('R12: on a platform whose timers are numbers, or have no unref, a timer is set all the same', () => {
    const unref = vi.fn()
    for (const handle of [7, null, {}, { unref: 'no' }, { unref }]) {
      vi.spyOn(globalThis, 'setTimeout').mockReturnValue(handle as never)
      expect(systemClock().setTimeout(() => undefined, 5)).toBe(handle)
      vi.restoreAllMocks()
    }
    expect(unref).toHaveBeenCalledTimes(1)
  })
  it('R18: the silent logger takes every level and writes nothing', () => {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) expect(silentLogger[level]('m', { token: 'x' })).toBeUndefined()
    expect(Object.keys(silentLogger).sort()).toEqual(['debug', 'error', 'info', 'warn'])
  })
})
