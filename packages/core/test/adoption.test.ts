// What an integrator adopting the SDK relies on: strict config, a console logger, the queue made
// visible, and a Node process that ends by itself.
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { createConsoleLogger, createManualClock, createSdk, type ConsoleLike } from '@jwt-sync/core'
import { START, baseConfig, createScriptedServer, expectLeft, expectRight, settle, startHarness, validToken } from './harness.js'

const run = promisify(execFile)

describe('R17: the config is strict', () => {
  const transport = createScriptedServer().transport
  it.each([
    ['typoOption', { typoOption: 1 }],
    ['networkConfig.authorizationConfig.isJwtEnabeld', { networkConfig: { authorizationConfig: { isJwtEnabled: true, isJwtEnabeld: true } } }],
    ['backoff.cap', { backoff: { cap: 1 } }],
  ])('R17: an unknown key (%s) throws a TypeError naming it', (key, overrides) => {
    expect(() => createSdk({ ...baseConfig(), ...(overrides as object) }, { transport })).toThrow(new RegExp(`${key.replace(/\./g, '\\.')}: not a config option`))
  })
  it.each([
    ['baseUrl', { baseUrl: 'not a url' }],
    ['baseUrl', { baseUrl: 'ftp://ingest.example.com' }],
    ['dataCenters.eu', { dataCenters: { eu: 'eu.example.com' } }],
    ['maxBatchSize', { maxBatchSize: 100_000 }],
    ['periodicFlushMs', { periodicFlushMs: 2 ** 31 }],
    ['timeoutMs', { timeoutMs: 1.5 }],
    ['maxConsecutiveAuthFailures', { maxConsecutiveAuthFailures: 0 }],
    ['backoff.factor', { backoff: { factor: Number.NaN } }],
  ])('R17: a malformed value of %s throws a TypeError naming it', (field, overrides) => {
    const attempt = () => createSdk({ ...baseConfig(), ...(overrides as object) }, { transport })
    expect(attempt).toThrow(TypeError)
    expect(attempt).toThrow(new RegExp(field.replace(/\./g, '\\.')))
  })
  it('R17: the documented shapes are accepted', () => {
    for (const baseUrl of ['https://ingest.example.com', 'http://127.0.0.1:7355', 'https://proxy.example.com/jwt-sync/']) {
      expect(() => createSdk({ ...baseConfig(), baseUrl }, { transport }).shutdown()).not.toThrow()
    }
  })
})

describe('R18/R19: seeing what the SDK does', () => {
  it('R18: createConsoleLogger writes from its level up, with tokens as fingerprints only', async () => {
    const lines: { level: string; text: string }[] = []
    const capture: ConsoleLike = {
      debug: (...args: unknown[]) => lines.push({ level: 'debug', text: JSON.stringify(args) }),
      info: (...args: unknown[]) => lines.push({ level: 'info', text: JSON.stringify(args) }),
      warn: (...args: unknown[]) => lines.push({ level: 'warn', text: JSON.stringify(args) }),
      error: (...args: unknown[]) => lines.push({ level: 'error', text: JSON.stringify(args) }),
    }
    const server = createScriptedServer()
    const clock = createManualClock(START)
    const sdk = createSdk(baseConfig(), { transport: server.transport, clock, logger: createConsoleLogger({ level: 'info', console: capture }) })
    const token = validToken('u1', clock.now())
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token })
    sdk.track('e')
    server.answer({ status: 401, body: JSON.stringify({ error: { type: 'JWT', code: 'INVALID_SIGNATURE' } }) })
    await sdk.flush()
    await sdk.shutdown()
    expect(lines.some((line) => line.level === 'warn' && line.text.includes('[jwt-sync] warn server refused the token'))).toBe(true)
    expect(lines.every((line) => line.level !== 'debug')).toBe(true)
    expect(lines.map((line) => line.text).join('\n')).not.toContain(token.slice(0, 12))
    expect(() => createConsoleLogger({ level: 'loud' as never })).toThrow(/level/)
  })

  it('R19: getState counts items tracked before the restore finished, at once', () => {
    const sdk = createSdk(baseConfig(), { transport: createScriptedServer().transport, clock: createManualClock(START) })
    sdk.track('a')
    sdk.track('b')
    expect(sdk.getState().pendingCount).toBe(2)
    return sdk.shutdown()
  })

  it('R10/R19: getQueue shows pending items per identity with the oldest timestamp, and dead letters with their reason', async () => {
    const { sdk, server, clock } = await startHarness()
    const rejected = expectRight(sdk.track('bad'))
    server.answer({ status: 400, body: JSON.stringify({ error: { type: 'VALIDATION', message: 'name not allowed', itemIds: [rejected.id] } }) })
    await sdk.flush()
    clock.advance(1_000)
    sdk.track('anonymous later')
    sdk.identify('u1')
    const firstOfU1 = clock.now()
    sdk.track('u1 first')
    clock.advance(1_000)
    sdk.track('u1 second')
    const queue = expectRight(await sdk.getQueue())
    expect(queue.pending).toEqual(
      expect.arrayContaining([
        { identity: 'anon', count: 1, oldestTimestamp: firstOfU1 },
        { identity: 'user:u1', count: 2, oldestTimestamp: firstOfU1 },
      ]),
    )
    expect(queue.deadLetters).toMatchObject([{ item: { id: rejected.id, name: 'bad' }, status: 400, reason: 'name not allowed' }])
    expect(expectLeft(await sdk.getQueue({ deadLetterLimit: -1 }))).toMatchObject({ code: 'INVALID_INPUT', field: 'deadLetterLimit' })
  })
})

describe('Node lifecycle', () => {
  it('R12: flushAndShutdown sends what it can within its deadline, then shuts down', async () => {
    const { sdk, server } = await startHarness()
    sdk.track('a')
    sdk.track('b')
    const report = expectRight(await sdk.flushAndShutdown({ timeoutMs: 5_000 }))
    expect(report).toMatchObject({ delivered: 2, pending: 0, timedOut: false })
    expect(server.stored.size).toBe(2)
    expect(sdk.getState().status).toBe('stopped')
    expect(expectLeft(sdk.track('late')).code).toBe('SHUT_DOWN')
  })

  it('R12: a server that never answers cannot hold flushAndShutdown past its deadline; the items stay stored', async () => {
    const { sdk, server, clock } = await startHarness()
    sdk.track('a')
    server.answer({ hold: true })
    const closing = sdk.flushAndShutdown({ timeoutMs: 2_000 })
    await settle()
    clock.advance(2_000)
    const report = expectRight(await closing)
    expect(report).toMatchObject({ delivered: 0, pending: 1, timedOut: true })
    expect(expectLeft(await sdk.flushAndShutdown()).code).toBe('SHUT_DOWN')
  })

  it('an SDK with nothing to do does not keep a Node process alive (unref\'d timers)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'jwt-sync-exit-'))
    const script = join(directory, 'script.ts')
    writeFileSync(
      script,
      `import { createSdk } from ${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))}
const transport = { send: () => () => Promise.resolve({ _tag: 'Right', right: { status: 200, headers: {}, body: '{"accepted":1,"duplicates":0}' } }) }
const sdk = createSdk({ appId: 'exit-test', environment: 'test', baseUrl: 'http://127.0.0.1:1', networkConfig: { authorizationConfig: { isJwtEnabled: false } } }, { transport })
sdk.track('e')
const report = await sdk.flush()
console.log(JSON.stringify({ delivered: report.right.delivered, started: Date.now() }))
`,
    )
    const bundle = join(directory, 'script.mjs')
    await build({ entryPoints: [script], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' })
    const startedAt = Date.now()
    // The periodic flush (60 s) and the session timers would hold the process if they were referenced.
    const { stdout } = await run(process.execPath, [bundle], { timeout: 20_000 })
    expect(JSON.parse(stdout.trim())).toMatchObject({ delivered: 1 })
    expect(Date.now() - startedAt).toBeLessThan(20_000)
  })
})
