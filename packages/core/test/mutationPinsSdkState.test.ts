// Tests that pin the facade exactly where the SDK-level tests look only at the outcome: what it
// logs when something goes wrong around it (R18: what the integrator reads, tokens as
// fingerprints; R15: a throwing listener harms nothing), the ports it checks (R17), and what a
// flush reports (R12, R19). Each kills mutants the broader tests let live (mutation/README.md).
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createManualClock, createSdk, fingerprintToken, type LogFields, type Logger } from '@jwt-sync/core'
import { START, baseConfig, createScriptedServer, jwt401, settle, storageWith, validToken } from './harness.js'

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
