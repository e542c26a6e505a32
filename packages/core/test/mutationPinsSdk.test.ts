// Tests that pin the facade's small parts exactly (R15, R17, R18, R19 and the drivers): each one
// kills mutants that the broader tests let live (mutation/README.md).
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { AuthenticationError } from '@jwt-sync/core'
import { createConsoleLogger } from '../src/drivers/consoleLogger.js'
import { createManualClock } from '../src/drivers/manualClock.js'
import { fingerprintToken } from '../src/jwt/fingerprint.js'
import { createAuthListeners } from '../src/runtime/authListeners.js'
import { redactFields, redactingLogger } from '../src/runtime/redaction.js'
import { createCommandQueue } from '../src/sdk/commandQueue.js'
import { createIds } from '../src/sdk/ids.js'
import { createListenerSet } from '../src/sdk/listenerSet.js'
import { MAX_ATTRIBUTES_BYTES, MAX_NAME_LENGTH, validateAttributeValue, validateAttributes, validateName, validateNonEmptyString } from '../src/sdk/validateInput.js'
import { makeToken } from './harness.js'

const left = <A>(value: E.Either<{ field?: string; message: string; code: string }, A>) => (E.isLeft(value) ? value.left : null)

describe('R17: bad input names the field and changes nothing', () => {
  it('R17: an event name is a string of 1 to 256 characters', () => {
    expect(MAX_NAME_LENGTH).toBe(256)
    expect(validateName('name', 'x'.repeat(256))).toEqual(E.right('x'.repeat(256)))
    expect(validateName('name', 'x')).toEqual(E.right('x'))
    expect(left(validateName('name', 'x'.repeat(257)))).toEqual({ code: 'INVALID_INPUT', field: 'name', message: 'name: must be 1 to 256 characters, got 257' })
    expect(left(validateName('name', ''))).toEqual({ code: 'INVALID_INPUT', field: 'name', message: 'name: must be 1 to 256 characters, got 0' })
    expect(left(validateName('key', null))).toEqual({ code: 'INVALID_INPUT', field: 'key', message: 'key: expected a string, got null' })
    expect(left(validateName('name', 7))?.message).toBe('name: expected a string, got number')
  })
  it('R17: tokens and identifiers are non-empty strings', () => {
    expect(validateNonEmptyString('token', 't')).toEqual(E.right('t'))
    expect(left(validateNonEmptyString('token', ''))).toEqual({ code: 'INVALID_INPUT', field: 'token', message: 'token: expected a non-empty string, got an empty string' })
    expect(left(validateNonEmptyString('identifier', null))?.message).toBe('identifier: expected a non-empty string, got null')
    expect(left(validateNonEmptyString('identifier', 3))?.message).toBe('identifier: expected a non-empty string, got number')
  })
  it('R17: attributes are a plain object of JSON data; the deepest bad value is named with its path', () => {
    expect(validateAttributes(undefined)).toEqual(E.right({}))
    const good = { a: null, b: true, c: 1.5, d: 'x', e: [1, { f: [] }], g: Object.create(null) as object }
    expect(validateAttributes(good)).toEqual(E.right(good))
    for (const bad of [null, [], 'x', 3, new Map(), new Date()]) expect(left(validateAttributes(bad))).toEqual({ code: 'INVALID_INPUT', field: 'attributes', message: 'attributes: expected a plain object' })
    expect(left(validateAttributes({ a: { b: [0, Number.POSITIVE_INFINITY] } }))).toEqual({ code: 'INVALID_INPUT', field: 'attributes.a.b[1]', message: 'attributes.a.b[1]: Infinity is not a finite number' })
    expect(left(validateAttributes({ a: undefined }))?.field).toBe('attributes.a')
    expect(left(validateAttributes({ a: undefined }))?.message).toBe('attributes.a: undefined is not allowed')
    expect(left(validateAttributes({ s: Symbol('x') }))?.message).toBe('attributes.s: symbol is not allowed')
    expect(left(validateAttributes({ n: 10n }))?.message).toBe('attributes.n: bigint is not allowed')
    expect(left(validateAttributes({ d: new Date() }))?.message).toBe('attributes.d: is not a plain object')
    const cyclic: Record<string, unknown> = { list: [] }
    ;(cyclic['list'] as unknown[]).push(cyclic)
    expect(left(validateAttributes(cyclic))?.message).toBe('attributes.list[0]: is cyclic')
    // The same object twice, not nested in itself, is not a cycle.
    const shared = { x: 1 }
    expect(E.isRight(validateAttributes({ a: shared, b: shared, c: [shared, shared] }))).toBe(true)
    // Inherited keys are not the object's own: not checked.
    const child = Object.create({ inherited: () => 1 }) as Record<string, unknown>
    expect(left(validateAttributes(child))?.message).toBe('attributes: expected a plain object')
    expect(validateAttributeValue(null)).toEqual(E.right(null))
    expect(left(validateAttributeValue(Number.NaN))).toEqual({ code: 'INVALID_INPUT', field: 'value', message: 'value: NaN is not a finite number' })
  })
  it('R17: attributes over 32 KB once serialised are refused, counted in UTF-8 bytes; 32 KB exactly is fine', () => {
    expect(MAX_ATTRIBUTES_BYTES).toBe(32 * 1024)
    // {"s":"..."} is 8 bytes around the text.
    const ascii = (n: number) => ({ s: 'a'.repeat(n) })
    expect(E.isRight(validateAttributes(ascii(MAX_ATTRIBUTES_BYTES - 8)))).toBe(true)
    expect(left(validateAttributes(ascii(MAX_ATTRIBUTES_BYTES - 7)))).toEqual({ code: 'INVALID_INPUT', field: 'attributes', message: 'attributes: is over 32768 bytes serialised' })
    // Two-byte, three-byte and four-byte (surrogate pair) characters.
    const twoByte = (n: number) => ({ s: 'é'.repeat(n) })
    expect(E.isRight(validateAttributes(twoByte((MAX_ATTRIBUTES_BYTES - 8) / 2)))).toBe(true)
    expect(E.isLeft(validateAttributes({ s: 'é'.repeat((MAX_ATTRIBUTES_BYTES - 8) / 2), t: '' }))).toBe(true)
    const threeByte = '✓'.repeat(Math.floor((MAX_ATTRIBUTES_BYTES - 8) / 3))
    expect(E.isRight(validateAttributes({ s: `${threeByte}${'a'.repeat((MAX_ATTRIBUTES_BYTES - 8) % 3)}` }))).toBe(true)
    expect(E.isLeft(validateAttributes({ s: `${threeByte}${'a'.repeat(((MAX_ATTRIBUTES_BYTES - 8) % 3) + 1)}` }))).toBe(true)
    const emoji = '😀'.repeat((MAX_ATTRIBUTES_BYTES - 8) / 4)
    expect(E.isRight(validateAttributes({ s: emoji }))).toBe(true)
    expect(E.isLeft(validateAttributes({ s: `${emoji}a` }))).toBe(true)
    // Many small values: the estimate is exceeded but the exact size decides.
    const many = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]))
    expect(E.isRight(validateAttributes(many))).toBe(JSON.stringify(many).length <= MAX_ATTRIBUTES_BYTES)
    expect(E.isLeft(validateAttributeValue('x'.repeat(MAX_ATTRIBUTES_BYTES)))).toBe(true)
    expect(E.isRight(validateAttributeValue('x'.repeat(MAX_ATTRIBUTES_BYTES - 2)))).toBe(true)
  })
  it('R17: the limit is exact at the edges of every UTF-8 width: U+0080 and U+07FF take 2 bytes, U+0800 to U+FFFF 3, a surrogate pair 4', () => {
    // A string value is its text in quotes: fill it to exactly `bytes` serialised, with as many
    // of `char` as fit and ASCII for the rest.
    const serialisedTo = (bytes: number, char: string, width: number) => {
      const room = bytes - 2
      return `${char.repeat(Math.floor(room / width))}${'a'.repeat(room % width)}`
    }
    for (const [char, width] of [['\u0080', 2], ['\u07ff', 2], ['\u0800', 3], ['\ud7ff', 3], ['\ue000', 3], ['\uffff', 3], ['\ud800\udc00', 4], ['\udbff\udfff', 4]] as const) {
      const name = `U+${char.codePointAt(0)?.toString(16)}`
      expect(E.isRight(validateAttributeValue(serialisedTo(MAX_ATTRIBUTES_BYTES, char, width))), name).toBe(true)
      expect(E.isLeft(validateAttributeValue(serialisedTo(MAX_ATTRIBUTES_BYTES + 1, char, width))), name).toBe(true)
    }
  })
  it('R17: values whose size is first estimated (literals, empty objects, escaped text, many keys) are still refused just over the limit', () => {
    const over = (value: unknown) => {
      // The value really is over: the SDK must not take its estimate for the size.
      expect(Buffer.byteLength(JSON.stringify(value))).toBeGreaterThan(MAX_ATTRIBUTES_BYTES)
      return E.isLeft(validateAttributeValue(value))
    }
    expect(over(Array.from({ length: 1400 }, () => -1.2345678901234567e-300))).toBe(true)
    expect(over(Array.from({ length: 6600 }, () => true))).toBe(true)
    expect(over(Array.from({ length: 6600 }, () => null))).toBe(true)
    expect(over(Array.from({ length: 11_000 }, () => ({})))).toBe(true)
    // "\u0001" is escaped to six characters: 8 bytes with its quotes, 9 with the comma.
    expect(over(Array.from({ length: 3641 }, () => '\u0001'))).toBe(true)
    // Keys of three control characters (escaped, 20 bytes quoted) with empty strings.
    const controls = [...Array.from({ length: 7 }, (_, i) => i + 1), ...Array.from({ length: 18 }, (_, i) => i + 14)]
    const key = (i: number) => String.fromCharCode(controls[i % 25] ?? 1, controls[Math.floor(i / 25) % 25] ?? 1, controls[Math.floor(i / 625) % 25] ?? 1)
    expect(over(Object.fromEntries(Array.from({ length: 1366 }, (_, i) => [key(i), ''])))).toBe(true)
    expect(over(Object.fromEntries(Array.from({ length: 3300 }, (_, i) => [`k${String(i).padStart(4, '0')}`, 0])))).toBe(true)
  })
})

describe('R18: redaction', () => {
  it('R18: any field named like a token, and any JWT-shaped string, becomes its fingerprint, at any depth up to 12', () => {
    const token = makeToken({ sub: 'u1', exp: 1, nonce: 'r' })
    const opaque = 'opaque-secret-value'
    expect(redactFields({ accessToken: opaque, TOKEN: opaque, other: opaque, jwt: token, n: 1, nil: null, list: [token, 2] })).toEqual({
      accessToken: fingerprintToken(opaque),
      TOKEN: fingerprintToken(opaque),
      other: opaque,
      jwt: fingerprintToken(token),
      n: 1,
      nil: null,
      list: [fingerprintToken(token), 2],
    })
    expect(redactFields({ tokens: [opaque] })).toEqual({ tokens: [fingerprintToken(opaque)] })
    expect(redactFields({ short: 'abc.de.f', notJwt: 'abcdefgh.x.y', dotted: 'a.b' })).toEqual({ short: 'abc.de.f', notJwt: 'abcdefgh.x.y', dotted: 'a.b' })
    expect(redactFields({ jwtLike: 'abcdefgh.xy.' })).toEqual({ jwtLike: fingerprintToken('abcdefgh.xy.') })
    expect(redactFields({ spaced: ` ${token}` })).toEqual({ spaced: ` ${token}` })
    let deep: Record<string, unknown> = { token: opaque }
    for (let i = 0; i < 12; i++) deep = { d: deep }
    expect(JSON.stringify(redactFields(deep))).not.toContain(opaque)
  })
  it('R18: redaction stops below depth 12, so a cyclic or very deep log field neither hangs nor throws', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic['self'] = cyclic
    let redacted: unknown = redactFields({ cyclic })
    // Thirteen levels are copied (the fields, then twelve below); the thirteenth is the original object.
    for (let level = 0; level < 13; level++) {
      expect(redacted).not.toBe(cyclic)
      redacted = (redacted as Record<string, unknown>)[level === 0 ? 'cyclic' : 'self']
    }
    expect(redacted).toBe(cyclic)
    const list: unknown[] = ['x']
    list.push(list)
    expect(() => redactFields({ list })).not.toThrow()
  })
  it('R18: a redacting logger passes the level and message on, and a logger that throws breaks nothing', () => {
    const lines: string[] = []
    const logger = redactingLogger({
      debug: (message, fields) => lines.push(`debug ${message} ${JSON.stringify(fields)}`),
      info: (message, fields) => lines.push(`info ${message} ${JSON.stringify(fields)}`),
      warn: (message, fields) => lines.push(`warn ${message} ${JSON.stringify(fields)}`),
      error: () => {
        throw new Error('broken logger')
      },
    })
    logger.debug('d', { token: 'secret-1' })
    logger.info('i', {})
    logger.warn('w', { a: 1 })
    expect(() => logger.error('e', {})).not.toThrow()
    expect(lines).toEqual([`debug d {"token":"${fingerprintToken('secret-1')}"}`, 'info i {}', 'warn w {"a":1}'])
  })
  it('R18: the console logger writes from its level up (warn by default), prefixed, fields only when there are some', () => {
    const lines: unknown[][] = []
    const record = (level: string) => (...args: unknown[]) => lines.push([level, ...args])
    const target = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
    const byDefault = createConsoleLogger({ console: target })
    byDefault.info('hidden', {})
    byDefault.warn('shown', {})
    byDefault.error('also', { a: 1 })
    expect(lines).toEqual([
      ['warn', '[jwt-sync] warn shown'],
      ['error', '[jwt-sync] error also', { a: 1 }],
    ])
    lines.length = 0
    const all = createConsoleLogger({ level: 'debug', console: target })
    all.debug('d', {})
    all.info('i', {})
    expect(lines).toEqual([
      ['debug', '[jwt-sync] debug d'],
      ['info', '[jwt-sync] info i'],
    ])
    lines.length = 0
    const errorsOnly = createConsoleLogger({ level: 'error', console: target })
    errorsOnly.warn('w', {})
    errorsOnly.error('e', {})
    expect(lines).toEqual([['error', '[jwt-sync] error e']])
    expect(() => createConsoleLogger({ level: 'loud' as never })).toThrow('jwt-sync: createConsoleLogger: level must be one of debug, info, warn, error')
  })
})

describe('R15: listeners', () => {
  const error = (identifier: string, code: 'UNKNOWN' | 'INVALID_SIGNATURE' = 'UNKNOWN'): AuthenticationError => ({
    type: 'JWT',
    source: 'server',
    accountMeta: { appId: 'a' },
    details: { code, numericCode: 4999, identifier },
  })
  it('R15: each listener receives each error once; a throwing one is reported and affects no other', () => {
    const thrown: unknown[] = []
    const listeners = createAuthListeners((e) => thrown.push(e))
    const first: AuthenticationError[] = []
    const second: AuthenticationError[] = []
    listeners.register(() => {
      throw new Error('boom')
    })
    listeners.register((e) => first.push(e))
    const off = listeners.register({ onError: (e) => second.push(e) })
    listeners.deliver(error('u1'), 'k1')
    listeners.deliver(error('u1'), 'k1')
    listeners.deliver(error('u2'), 'k2')
    expect(first.map((e) => e.details.identifier)).toEqual(['u1', 'u2'])
    expect(second.map((e) => e.details.identifier)).toEqual(['u1', 'u2'])
    expect(thrown).toHaveLength(2)
    off()
    listeners.deliver(error('u3'), 'k3')
    expect(second).toHaveLength(2)
    expect(first).toHaveLength(3)
  })
  it('R15: a listener registered later receives the errors still unresolved, each once; resolved ones not', () => {
    const listeners = createAuthListeners(() => undefined)
    listeners.deliver(error('u1'), 'k1')
    listeners.deliver(error('u1', 'INVALID_SIGNATURE'), 'k2')
    listeners.deliver(error('u1'), 'k1')
    listeners.deliver(error('u2'), 'k3')
    listeners.deliver({ ...error(''), details: { code: 'UNKNOWN', numericCode: 4999 } }, 'k4')
    listeners.resolve('u2')
    const late: string[] = []
    listeners.register((e) => late.push(`${e.details.identifier ?? '-'}:${e.details.code}`))
    expect(late).toEqual(['u1:UNKNOWN', 'u1:INVALID_SIGNATURE', '-:UNKNOWN'])
    listeners.deliver(error('u1'), 'k1')
    expect(late).toHaveLength(3)
  })
  it('R15 R19: a listener set notifies every listener in order, survives a throw, and unsubscribes', () => {
    const thrown: unknown[] = []
    const set = createListenerSet<number>((e) => thrown.push(e))
    const seen: string[] = []
    set.add((n) => seen.push(`a${n}`))
    set.add(() => {
      throw new Error('x')
    })
    const off = set.add((n) => seen.push(`c${n}`))
    expect(set.size).toBe(3)
    set.notify(1)
    off()
    expect(set.size).toBe(2)
    set.notify(2)
    expect(seen).toEqual(['a1', 'c1', 'a2'])
    expect(thrown).toHaveLength(2)
  })
})

describe('facade plumbing', () => {
  it('R12: commands made before the restore wait, run in order at release, then run at once; release happens once', async () => {
    const queue = createCommandQueue()
    const order: string[] = []
    queue.run(() => order.push('a'))
    queue.run(() => order.push('b'))
    expect(queue.isReady()).toBe(false)
    const ready = queue.whenReady().then(() => order.push('ready'))
    queue.release(() => order.push('resume'))
    expect(order).toEqual(['a', 'b', 'resume'])
    await ready
    queue.run(() => order.push('c'))
    queue.release(() => order.push('resume again'))
    await queue.whenReady()
    expect(order).toEqual(['a', 'b', 'resume', 'ready', 'c'])
    expect(queue.isReady()).toBe(true)
  })
  it('R14: an id prefix is the start time, the instance number and six base-36 digits of the random source, zero-padded', () => {
    // Start time 0 is "0" in base 36; the instance number is whatever this process counted.
    expect(createIds(0, () => 0.5).item()).toMatch(/^0[0-9a-z]+i00000-0$/)
    expect(createIds(0, () => 1 / 36 ** 6).item()).toMatch(/^0[0-9a-z]+000001-0$/)
    expect(createIds(0, () => 1 - 1 / 36 ** 6).batch()).toMatch(/^b-0[0-9a-z]+zzzzzz-0$/)
  })
  it('R14: ids are unique per instance and per kind, prefixed by kind', () => {
    const a = createIds(1_000, () => 0.5)
    const b = createIds(1_000, () => 0.5)
    const ids = [a.item(), a.item(), a.batch(), a.batch(), a.session(), b.item(), b.batch(), b.session()]
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids[2]).toMatch(/^b-/)
    expect(ids[4]).toMatch(/^s-/)
    expect(ids[0]).not.toMatch(/^[bs]-/)
    expect(ids[0]?.endsWith('-0')).toBe(true)
    expect(ids[1]?.endsWith('-1')).toBe(true)
    expect(ids[0]?.startsWith((1_000).toString(36))).toBe(true)
  })
  it('R9: the manual clock runs due timers in time order (ties by creation), clears them, and never goes back', () => {
    const clock = createManualClock(100)
    const ran: string[] = []
    clock.setTimeout(() => ran.push('b'), 20)
    clock.setTimeout(() => ran.push('a'), 10)
    clock.setTimeout(() => ran.push('a2'), 10)
    const cleared = clock.setTimeout(() => ran.push('never'), 5)
    clock.setTimeout(() => ran.push('negative'), -50)
    expect(clock.pendingTimers()).toBe(5)
    expect(clock.nextTimerAt()).toBe(100)
    clock.clearTimeout(cleared)
    clock.advance(10)
    expect(ran).toEqual(['negative', 'a', 'a2'])
    expect(clock.now()).toBe(110)
    clock.advanceTo(50)
    expect(clock.now()).toBe(110)
    clock.setTimeout(() => {
      ran.push(`nested at ${clock.now()}`)
      clock.setTimeout(() => ran.push(`inner at ${clock.now()}`), 1)
    }, 5)
    clock.advanceTo(200)
    expect(ran).toEqual(['negative', 'a', 'a2', 'nested at 115', 'inner at 116', 'b'])
    expect(clock.now()).toBe(200)
    expect(clock.nextTimerAt()).toBeNull()
    expect(clock.pendingTimers()).toBe(0)
  })
})
