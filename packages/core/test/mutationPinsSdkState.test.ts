// Tests that pin the facade exactly where the SDK-level tests look only at the outcome: what it
// logs when something goes wrong around it (R18: what the integrator reads, tokens as
// fingerprints; R15: a throwing listener harms nothing), the ports it checks (R17), and what a
// flush reports (R12, R19). Each kills mutants the broader tests let live (mutation/README.md).
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createManualClock, createSdk, fingerprintToken, type LogFields, type Logger, type Storage } from '@jwt-sync/core'
import { START, baseConfig, createScriptedServer, expectLeft, expectRight, jwt401, settle, storageWith, validToken } from './harness.js'

type Line = { level: string; message: string; fields: LogFields }
const recordingLogger = (lines: Line[]): Logger => ({
  debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
  info: (message, fields) => lines.push({ level: 'info', message, fields }),
  warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  error: (message, fields) => lines.push({ level: 'error', message, fields }),
})
const named = (lines: Line[], message: string) => lines.filter((line) => line.message === message).map(({ level, fields }) => ({ level, fields }))

describe('R18 R15: what the SDK logs when something around it fails', () => {
  it('R15 R18: a throwing problem listener, authentication listener or state subscriber is logged as such, and the problem itself too', async () => {
    const lines: Line[] = []
    const server = createScriptedServer()
    const clock = createManualClock(START)
    const sdk = createSdk(baseConfig(), { transport: server.transport, clock, logger: recordingLogger(lines) })
    sdk.registerProblemListener(() => {
      throw new Error('problem listener broke')
    })
    sdk.registerAuthenticationListener(() => {
      throw new Error('auth listener broke')
    })
    const token = validToken('u1', clock.now())
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token })
    const bad = sdk.track('bad')
    server.answer({ status: 400, body: JSON.stringify({ error: { type: 'VALIDATION', message: 'no', itemIds: [E.isRight(bad) ? bad.right.id : ''] } }) })
    await sdk.flush()
    expect(named(lines, 'problem')).toEqual([{ level: 'warn', fields: { problem: { type: 'DEAD_LETTER', itemIds: [E.isRight(bad) ? bad.right.id : ''], status: 400, reason: 'no' } } }])
    expect(named(lines, 'problem listener threw')).toEqual([{ level: 'error', fields: { error: 'Error: problem listener broke' } }])
    sdk.track('refused')
    server.answer(jwt401('INVALID_SIGNATURE'))
    await sdk.flush()
    expect(named(lines, 'authentication error')).toEqual([
      { level: 'warn', fields: { code: 'INVALID_SIGNATURE', source: 'server', identifier: 'u1', token: fingerprintToken(token) } },
    ])
    expect(named(lines, 'authentication listener threw')).toEqual([{ level: 'error', fields: { error: 'Error: auth listener broke' } }])
    const off = sdk.subscribe(() => {
      throw new Error('subscriber broke')
    })
    sdk.track('after')
    await settle()
    off()
    expect(named(lines, 'state subscriber threw').length).toBeGreaterThan(0)
    expect(named(lines, 'state subscriber threw')[0]).toEqual({ level: 'error', fields: { error: 'Error: subscriber broke' } })
    expect(JSON.stringify(lines)).not.toContain(token)
    await sdk.shutdown()
  })
  it('R13 R18: a storage failure is reported once as a problem and logged; its recovery is logged', async () => {
    const lines: Line[] = []
    let failing = true
    const storage = storageWith((ns) => ({
      commit: (write) => (failing && (write.append?.length ?? 0) > 0 ? () => Promise.resolve(E.left({ kind: 'quota' as const, message: 'disk full' })) : ns.commit(write)),
    }))
    const clock = createManualClock(START)
    const problems: unknown[] = []
    const sdk = createSdk(baseConfig(), { transport: createScriptedServer().transport, clock, storage, logger: recordingLogger(lines) })
    sdk.registerProblemListener((problem) => problems.push(problem))
    await sdk.whenPersisted()
    sdk.track('e')
    await settle()
    clock.advance(1_000)
    await settle()
    expect(problems).toEqual([{ type: 'STORAGE', kind: 'quota', message: 'disk full' }])
    expect(named(lines, 'problem')).toEqual([{ level: 'warn', fields: { problem: { type: 'STORAGE', kind: 'quota', message: 'disk full' } } }])
    expect(named(lines, 'storage recovered')).toEqual([])
    failing = false
    clock.advance(2_000)
    await settle()
    expect(named(lines, 'storage recovered')).toEqual([{ level: 'info', fields: {} }])
    await sdk.shutdown()
  })
  it('R16 R18: a provider token the client checks refuse is logged with its code; a provider that keeps failing is logged when given up', async () => {
    const lines: Line[] = []
    const clock = createManualClock(START)
    let u1Answers = 0
    const sdk = createSdk(
      baseConfig({
        timeoutMs: 1_000,
        // u1: a token for someone else first (refused by the client checks, R6), then its own.
        tokenProvider: (identifier) =>
          identifier === 'u1' ? Promise.resolve(validToken(u1Answers++ === 0 ? 'someone-else' : 'u1', clock.now())) : Promise.reject(new Error('offline')),
      }),
      { transport: createScriptedServer().transport, clock, logger: recordingLogger(lines), random: () => 0 },
    )
    sdk.identify('u1')
    sdk.track('e')
    await sdk.flush()
    await settle()
    expect(named(lines, 'tokenProvider gave a token that was refused')[0]).toEqual({ level: 'warn', fields: { code: 'IDENTIFIER_MISMATCH' } })
    sdk.identify('u2')
    sdk.track('e2')
    await sdk.flush()
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000)
      await settle()
    }
    expect(named(lines, 'tokenProvider gave up')).toEqual([{ level: 'error', fields: { identifier: 'u2', reason: 'tokenProvider failed: Error: offline' } }])
    await sdk.shutdown()
  })
})

describe('R17: the ports are checked once, at createSdk', () => {
  it('R17: createSdk throws a TypeError when the ports have no transport with a send function', () => {
    const message = 'jwt-sync: invalid ports: transport.send must be a function'
    for (const ports of [null, undefined, 5, 'ports', {}, { transport: null }, { transport: {} }, { transport: { send: 'no' } }]) {
      expect(() => createSdk(baseConfig(), ports as never), JSON.stringify(ports)).toThrow(new TypeError(message))
    }
    expect(() => createSdk({ ...baseConfig(), appId: '' }, { transport: createScriptedServer().transport })).toThrow(new TypeError('jwt-sync: invalid config: appId: expected non-empty string, got ""'))
  })
})

describe('R13 R17: storage that fails at start', () => {
  const start = (storage: Storage) => {
    const problems: unknown[] = []
    const server = createScriptedServer()
    const sdk = createSdk(baseConfig(), { transport: server.transport, clock: createManualClock(START), storage })
    sdk.registerProblemListener((problem) => problems.push(problem))
    return { sdk, problems, server }
  }
  it('R13: storage that cannot be opened is reported and memory storage takes over; sync still works', async () => {
    const refused = start({ open: () => () => Promise.resolve(E.left({ kind: 'locked' as const, message: 'busy' })) })
    refused.sdk.track('e')
    expect(expectRight(await refused.sdk.flush()).delivered).toBe(1)
    expect(refused.problems).toEqual([{ type: 'STORAGE', kind: 'locked', message: 'busy; using memory storage' }])
    await refused.sdk.shutdown()
    const thrown = start({ open: () => () => Promise.reject(new Error('no disk')) })
    thrown.sdk.track('e')
    expect(expectRight(await thrown.sdk.flush()).delivered).toBe(1)
    expect(thrown.problems).toEqual([{ type: 'STORAGE', kind: 'io', message: 'Error: no disk; using memory storage' }])
    await thrown.sdk.shutdown()
  })
  it('R13: a load that fails is reported and the SDK starts empty; one that rejects starts empty; corrupt records are counted', async () => {
    const failing = start(storageWith(() => ({ load: () => () => Promise.resolve(E.left({ kind: 'corrupt' as const, message: 'bad file' })) })))
    await failing.sdk.whenPersisted()
    expect(failing.problems).toEqual([{ type: 'STORAGE', kind: 'corrupt', message: 'bad file' }])
    expect(failing.sdk.getState()).toMatchObject({ status: 'running', identifier: null, pendingCount: 0 })
    await failing.sdk.shutdown()
    const rejecting = start(storageWith(() => ({ load: () => () => Promise.reject(new Error('gone')) })))
    await rejecting.sdk.whenPersisted()
    expect(rejecting.problems).toEqual([])
    expect(rejecting.sdk.getState()).toMatchObject({ status: 'running', identifier: null })
    await rejecting.sdk.shutdown()
    const snapshot = (state: Record<string, unknown>, skippedRecords = 0) =>
      storageWith(() => ({ load: () => () => Promise.resolve(E.right({ pendingByIdentity: {}, deadLetterCount: 0, state: state as never, skippedRecords })) }))
    const corrupt = start(snapshot({ identity: { v: 9, value: 'u1' } }, 2))
    await corrupt.sdk.whenPersisted()
    expect(corrupt.problems).toEqual([{ type: 'CORRUPT_RECORDS', skipped: 3 }])
    await corrupt.sdk.shutdown()
    const clean = start(snapshot({ identity: { v: 1, value: 'u1' } }))
    await clean.sdk.whenPersisted()
    expect(clean.problems).toEqual([])
    expect(clean.sdk.getState().identifier).toBe('u1')
    await clean.sdk.shutdown()
  })
})

describe('R17 R19: the facade\'s answers at its edges', () => {
  it('R17 R19: getQueue checks its limit, skips identities with nothing pending, and says when storage cannot be read', async () => {
    let failReads = false
    const storage = storageWith((ns) => ({
      readDeadLetters: (limit) => (failReads ? () => Promise.resolve(E.left({ kind: 'io' as const, message: 'boom' })) : ns.readDeadLetters(limit)),
      peek: (identity, limit) => (failReads ? () => Promise.resolve(E.left({ kind: 'io' as const, message: 'boom' })) : ns.peek(identity, limit)),
    }))
    const clock = createManualClock(START)
    const server = createScriptedServer()
    const sdk = createSdk(baseConfig(), { transport: server.transport, clock, storage })
    sdk.track('sent')
    await sdk.flush()
    expect(expectRight(await sdk.getQueue())).toEqual({ pending: [], deadLetters: [] })
    expect(expectRight(await sdk.getQueue({ deadLetterLimit: 0 }))).toEqual({ pending: [], deadLetters: [] })
    for (const deadLetterLimit of [-1, 1.5, Number.NaN]) {
      expect(expectLeft(await sdk.getQueue({ deadLetterLimit }))).toEqual({ code: 'INVALID_INPUT', field: 'deadLetterLimit', message: 'deadLetterLimit: expected a non-negative integer' })
    }
    sdk.track('pending')
    await sdk.whenPersisted()
    failReads = true
    expect(expectLeft(await sdk.getQueue())).toEqual({ code: 'STORAGE_UNAVAILABLE', message: 'io: boom' })
    failReads = false
    expect(expectRight(await sdk.getQueue()).pending).toEqual([{ identity: 'anon', count: 1, oldestTimestamp: START }])
    await sdk.shutdown()
    expect(expectLeft(await sdk.getQueue()).code).toBe('SHUT_DOWN')
  })
  it('R17: flushAndShutdown refuses a deadline that is not a non-negative number, and changes nothing then', async () => {
    const sdk = createSdk(baseConfig(), { transport: createScriptedServer().transport, clock: createManualClock(START) })
    for (const timeoutMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as never]) {
      expect(expectLeft(await sdk.flushAndShutdown({ timeoutMs }))).toEqual({ code: 'INVALID_INPUT', field: 'timeoutMs', message: 'timeoutMs: expected a non-negative number of milliseconds' })
    }
    expect(sdk.getState().status).not.toBe('stopped')
    expect(expectRight(await sdk.flushAndShutdown({ timeoutMs: 0 }))).toMatchObject({ timedOut: false })
    expect(sdk.getState().status).toBe('stopped')
  })
  it('R17 R1: a listener that is not one is refused quietly; token answers carry the numeric code, JWT_DISABLED none', async () => {
    const sdk = createSdk(baseConfig(), { transport: createScriptedServer().transport, clock: createManualClock(START) })
    for (const listener of [null, 5, {}, { onError: 'no' }]) {
      const off = sdk.registerAuthenticationListener(listener as never)
      expect(off()).toBeUndefined()
    }
    expect(sdk.registerProblemListener('no' as never)()).toBeUndefined()
    expect(expectLeft(sdk.passAuthenticationDetails({ identifier: 'u1', token: 'not-a-jwt' }))).toMatchObject({ code: 'DECRYPTION_FAILED', numericCode: 4000 })
    await sdk.shutdown()
    const disabled = createSdk(baseConfig({}, false), { transport: createScriptedServer().transport, clock: createManualClock(START) })
    expect(expectLeft(disabled.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', START) }))).toEqual({ code: 'JWT_DISABLED', message: 'JWT is disabled in networkConfig.authorizationConfig' })
    await disabled.shutdown()
  })
  it('R12: after shutdown every call answers SHUT_DOWN or does nothing; shutting down again is harmless', async () => {
    const server = createScriptedServer()
    const sdk = createSdk(baseConfig(), { transport: server.transport, clock: createManualClock(START) })
    await sdk.shutdown()
    const shutDown = { code: 'SHUT_DOWN', message: 'the SDK was shut down' }
    expect(expectLeft(sdk.identify('u1'))).toEqual(shutDown)
    expect(expectLeft(sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', START) }))).toEqual(shutDown)
    expect(expectLeft(sdk.setUserAttribute('plan', 'pro'))).toEqual(shutDown)
    expect(expectLeft(await sdk.flush())).toEqual(shutDown)
    expect(expectLeft(await sdk.logout())).toEqual(shutDown)
    sdk.onAppBackground()
    sdk.onAppForeground()
    await sdk.shutdown()
    expect(sdk.getState()).toMatchObject({ status: 'stopped', foreground: true })
    expect(server.requests).toEqual([])
  })
})
