import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { hermesBinary, hermesBytecodeBytes, hermesVersion, lowerForHermes } from '../../adapter-ios-bridge/scripts/hermesBundle.mjs'

// core + adapter-fetch + the key-value storage as one bundle lowered as React Native's toolchain
// lowers it (SWC, es5), in the hermes binary of hermes-engine-cli, behind a small host shim.

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

/** Client-valid tokens (RS256, subject, expiry); the shim's server trusts only some. */
const token = (identifier: string, now: number, n: number): string => {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const seconds = Math.floor(now / 1000)
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub: identifier, iat: seconds, exp: seconds + 86_400 })}.${Buffer.from(`sig-${identifier}-${n}`).toString('base64url')}`
}

type Scenario = { event: string; name?: string; observed?: Record<string, unknown>; error?: string }
let records: Scenario[] = []

beforeAll(async () => {
  const result = await build({
    entryPoints: [here('./reactNative/reactNativeApp.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'JwtSyncReactNativeApp',
    platform: 'neutral',
    target: 'es2020',
    mainFields: ['module', 'main'],
    conditions: ['source', 'module', 'import'],
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  })
  const app = await lowerForHermes(result.outputFiles[0]!.text, 'JwtSyncReactNativeApp')
  const now = Date.now()
  let n = 0
  const tokens = {
    aliceRefused: token('alice', now, n++),
    aliceTrusted: token('alice', now, n++),
    bobRefused: Array.from({ length: 13 }, () => token('bob', now, n++)),
    bobTrusted: [token('bob', now, n++), token('bob', now, n++)],
    carolTrusted: token('carol', now, n++),
    carolRefused: token('carol', now, n++),
  }
  const params = { now, tokens, trustedTokens: [tokens.aliceTrusted, ...tokens.bobTrusted, tokens.carolTrusted] }
  const shim = readFileSync(here('./reactNative/hostShim.js'), 'utf8').replace('JWT_SYNC_TEST_PARAMS', JSON.stringify(params))
  const dir = mkdtempSync(join(tmpdir(), 'jwt-sync-rn-'))
  try {
    const file = join(dir, 'app.js')
    writeFileSync(file, `${shim}\n${app}`)
    const started = performance.now()
    const output = await new Promise<string>((resolve, reject) =>
      execFile(hermesBinary(), ['-w', '-Xmicrotask-queue', file], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) =>
        error ? reject(new Error(`hermes failed: ${String(error)}\n${err}\n${out.slice(-4000)}`)) : resolve(out),
      ),
    )
    const ms = Math.round(performance.now() - started)
    records = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Scenario)
    const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
    console.log(
      `Hermes ${hermesVersion()} (hermes-engine-cli): React Native bundle (core + adapter-fetch + key-value storage, SWC es5) ${kb(Buffer.byteLength(app))} minified, ${kb(gzipSync(app, { level: 9 }).length)} gzipped, ${kb(hermesBytecodeBytes(app))} bytecode; S1-S3 and a relaunch ran in ${ms} ms`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 120_000)

const observed = (name: string): Record<string, unknown> => {
  const record = records.find((r) => r.event === 'scenario' && r.name === name)
  if (record === undefined) throw new Error(`scenario ${name} printed nothing; records: ${JSON.stringify(records).slice(0, 2000)}`)
  if (record.error !== undefined) throw new Error(`scenario ${name} failed in Hermes: ${record.error}`)
  return record.observed!
}

describe('React Native on Hermes: core + adapter-fetch + key-value storage, one lowered bundle', () => {
  it('S1/R7: a refused token is not used again until the app passes a new one; then the item goes out', () => {
    expect(observed('S1')).toEqual({
      firstFlush: { delivered: 0, deadLettered: 0, deleted: 0, pending: 1, waiting: ['awaiting-token'] },
      firstFlushRequests: ['401 INVALID_SIGNATURE'],
      authErrors: [{ source: 'server', code: 'INVALID_SIGNATURE', identifier: 'alice', isTheRefusedToken: true }],
      secondFlush: { delivered: 0, deadLettered: 0, deleted: 0, pending: 1, waiting: ['awaiting-token'] },
      requestsWhileRefused: [],
      whileRefused: { sync: 'rest.awaitingToken', pendingCount: 1 },
      sameTokenAgain: { error: 'INVALID_SIGNATURE' },
      requestsAfterNewToken: ['200'],
      after: { pendingCount: 0, consecutiveAuthFailures: 0 },
      storedForAlice: ['added_to_cart'],
    })
  })

  it('S2/R8: a success resets the count; ten refusals in a row stop sync until the next session (AppState active after the timeout)', () => {
    const s2 = observed('S2')
    expect(s2).toMatchObject({
      firstRefusals: ['401 INVALID_SIGNATURE', '401 INVALID_SIGNATURE', '401 INVALID_SIGNATURE'],
      countAfterThree: 3,
      countAfterSuccess: 0,
      suspended: { suspended: true, consecutiveAuthFailures: 10, sync: 'rest.suspended' },
      flushWhileSuspended: { delivered: 0, pending: 1, waiting: ['suspended'] },
      requestsWhileSuspended: [],
      flushInNextSession: { pending: 0 },
      resumed: { suspended: false, consecutiveAuthFailures: 0, pendingCount: 0, newSession: true },
      storedForBob: ['viewed', 'tapped', 'came_back'],
    })
    expect(s2['tenRefusals']).toEqual(Array.from({ length: 10 }, () => '401 INVALID_SIGNATURE'))
    expect((s2['requestsInNextSession'] as string[]).length).toBeGreaterThan(0)
    expect((s2['requestsInNextSession'] as string[]).every((outcome) => outcome === '200')).toBe(true)
  })

  it('S3/R11: the logout flush refused with a JWT error deletes the user\'s items; no item and no full token of the user stays in the store', () => {
    expect(observed('S3')).toEqual({
      firstFlush: { delivered: 1, deadLettered: 0, deleted: 0, pending: 0, waiting: [] },
      // Before the logout the store holds the user's token and items: the checks after can fail.
      beforeLogout: { fullTokens: 1, carolItems: true },
      logout: { delivered: 0, deadLettered: 0, deleted: 2, pending: 0, waiting: [] },
      logoutRequests: ['401 INVALID_SIGNATURE'],
      deletion: [{ source: 'server', code: 'INVALID_SIGNATURE', identifier: 'carol', deletedCount: 2 }],
      flushAfter: { delivered: 1, deadLettered: 0, deleted: 0, pending: 0, waiting: [] },
      after: { identifier: null, pendingCount: 0, tokenIdentifiers: [] },
      atRest: { fullTokens: 0, carolItems: false },
      storedForCarol: ['c0'],
    })
  })

  it('R13: items persisted before the app went away are sent by the next launch, once', () => {
    expect(observed('relaunch')).toEqual({
      storedBefore: [],
      sentOnStart: ['200'],
      flush: { delivered: 0, deadLettered: 0, deleted: 0, pending: 0, waiting: [] },
      received: { before_relaunch_1: 1, theme: 1 },
    })
    expect(records.find((r) => r.event === 'done')).toBeDefined()
  })
})
