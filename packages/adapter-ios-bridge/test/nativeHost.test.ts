import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { createTokenIssuer, startReferenceServer, type ReferenceServer, type TokenIssuer } from '@jwt-sync/reference-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BENCH_EVENT_NAME, BENCH_USER, benchAttributes } from './support/benchEvent.js'
import { buildBundleFile } from './support/bundleFile.js'
import { answerOf, authErrorsIn, between, buildNativeHost, httpStatusesIn, runNativeHost, type ScenarioStep } from './support/nativeHost.js'
import { startWireTap, type WireTap } from './support/wireTap.js'

// The C host (native/host.c) on the JavaScriptCore C API runs the bundle against the reference
// server on loopback, with libcurl HTTP, file storage and its own timer loop. The host declares
// that it can gzip (R20), so every test here also sends gzip bodies.

let hostPath: string
let bundlePath: string
let server: ReferenceServer
let issuer: TokenIssuer
let tap: WireTap
const scratch: string[] = []

const APPS = ['ios-s1', 'ios-s2', 'ios-s3', 'ios-restart', 'ios-gzip', 'ios-gzip-415'] as const

beforeAll(async () => {
  hostPath = buildNativeHost()
  bundlePath = await buildBundleFile()
  const created = createTokenIssuer()
  if (E.isLeft(created)) throw new Error(created.left)
  issuer = created.right
  server = await startReferenceServer({ apps: Object.fromEntries(APPS.map((app) => [app, { enforcement: 'required', publicKeys: [issuer.publicKeyPem] }])) })
  tap = await startWireTap(server.url)
})

afterAll(async () => {
  await tap?.stop()
  await server?.stop()
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})

const storageDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'jwt-sync-native-'))
  scratch.push(dir)
  return dir
}

let nextId = 1
const call = (kind: string, fields: Record<string, unknown> = {}): { send: Record<string, unknown> } & { id: string } => {
  const id = `n${nextId++}`
  return { id, send: { v: 1, kind, id, ...fields } }
}
const initialize = (appId: string, extra: Record<string, unknown> = {}) =>
  call('initialize', {
    config: { appId, baseUrl: server.url, environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } }, ...extra },
  })
const echo = (text: string): ScenarioStep => ({ echo: text })
const storedFor = (appId: string, identifier: string | null): string[] =>
  server.items(appId).filter((i) => i.identifier === identifier).map((i) => i.item.name)
const tappedFor = (appId: string) => tap.requests().filter((r) => r.path === `/v1/apps/${appId}/batches`)
const sum = (numbers: readonly number[]): number => numbers.reduce((a, b) => a + b, 0)

describe('native JavaScriptCore host (C API, libcurl, files)', () => {
  it('S1/R7: a 401 is not retried until the app passes a new token; then the items are delivered', async () => {
    const bad = await issuer.issueBad('tampered', 'alice')
    const good = await issuer.issue({ identifier: 'alice' })
    const init = initialize('ios-s1')
    const flush1 = call('flush')
    const flush2 = call('flush')
    const flush3 = call('flush')
    const state = call('getState')
    const steps: ScenarioStep[] = [
      init,
      call('identify', { identifier: 'alice' }),
      call('passAuthenticationDetails', { token: bad, identifier: 'alice' }),
      call('track', { name: 'added_to_cart', attributes: { sku: 'A1' } }),
      echo('first-flush'),
      flush1,
      echo('no-retry'),
      flush2,
      { sleep: 500 },
      echo('new-token'),
      call('passAuthenticationDetails', { token: good, identifier: 'alice' }),
      { sleep: 300 },
      flush3,
      state,
      echo('end'),
    ]
    const run = await runNativeHost(hostPath, bundlePath, storageDir(), steps)
    expect(run.lines.filter((l) => l.tag === 'FATAL')).toEqual([])
    expect(answerOf(run.lines, init.id).kind).toBe('result')
    expect(httpStatusesIn(between(run.lines, 'first-flush', 'no-retry'))).toEqual(['401'])
    const errors = authErrorsIn(run.lines)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ source: 'server', details: { code: 'INVALID_SIGNATURE', identifier: 'alice', token: bad } })
    // S1: no request for alice until a different token arrives, however often the app flushes.
    expect(httpStatusesIn(between(run.lines, 'no-retry', 'new-token'))).toEqual([])
    expect(httpStatusesIn(between(run.lines, 'new-token', 'end'))).toContain('200')
    expect(storedFor('ios-s1', 'alice')).toEqual(['added_to_cart'])
    expect(answerOf(run.lines, state.id)).toMatchObject({ kind: 'result', value: { pendingCount: 0, consecutiveAuthFailures: 0 } })
  })

  it('S2/R8: after 10 consecutive authentication failures no request is made until the next session', async () => {
    const init = initialize('ios-s2', { inactivityTimeoutMs: 1500 })
    const steps: ScenarioStep[] = [init, call('identify', { identifier: 'bob' }), call('track', { name: 'viewed' }), echo('failures')]
    for (let i = 0; i < 11; i++) {
      // Each a different token the client accepts and the server refuses (signature).
      steps.push(call('passAuthenticationDetails', { token: await issuer.issueBad('tampered', 'bob', Date.now() + i * 1000), identifier: 'bob' }))
      steps.push(call('flush'))
    }
    const suspendedState = call('getState')
    const good = await issuer.issue({ identifier: 'bob' })
    const resumedState = call('getState')
    steps.push(
      suspendedState,
      echo('suspended'),
      call('passAuthenticationDetails', { token: good, identifier: 'bob' }),
      call('flush'),
      { sleep: 300 },
      echo('next-session'),
      { sleep: 1700 },
      call('track', { name: 'came_back' }),
      { sleep: 500 },
      call('flush'),
      resumedState,
      echo('end'),
    )
    const run = await runNativeHost(hostPath, bundlePath, storageDir(), steps)
    expect(run.lines.filter((l) => l.tag === 'FATAL')).toEqual([])
    expect(answerOf(run.lines, init.id).kind).toBe('result')
    const failures = httpStatusesIn(between(run.lines, 'failures', 'suspended'))
    expect(failures).toEqual(Array.from({ length: 10 }, () => '401'))
    expect(authErrorsIn(between(run.lines, 'failures', 'suspended')).filter((e) => e.source === 'server')).toHaveLength(10)
    expect(answerOf(run.lines, suspendedState.id)).toMatchObject({ value: { suspended: true, consecutiveAuthFailures: 10 } })
    // A good token alone does not lift the suspension within the session.
    expect(httpStatusesIn(between(run.lines, 'suspended', 'next-session'))).toEqual([])
    expect(httpStatusesIn(between(run.lines, 'next-session', 'end'))).toContain('200')
    expect(answerOf(run.lines, resumedState.id)).toMatchObject({ value: { suspended: false, consecutiveAuthFailures: 0, pendingCount: 0 } })
    expect(storedFor('ios-s2', 'bob').sort()).toEqual(['came_back', 'viewed'])
  })

  it('S3/R11: a logout flush failing with a JWT error deletes the pending data and is not retried', async () => {
    const bad = await issuer.issueBad('tampered', 'carol')
    const init = initialize('ios-s3')
    const logout = call('logout')
    const state = call('getState')
    const steps: ScenarioStep[] = [
      init,
      call('identify', { identifier: 'carol' }),
      call('passAuthenticationDetails', { token: bad, identifier: 'carol' }),
      call('track', { name: 'c1' }),
      call('setUserAttribute', { name: 'plan', value: 'pro' }),
      call('whenPersisted'),
      echo('logout'),
      logout,
      echo('after'),
      call('track', { name: 'anonymous_after_logout' }),
      call('flush'),
      { sleep: 300 },
      state,
      echo('end'),
    ]
    const dir = storageDir()
    const run = await runNativeHost(hostPath, bundlePath, dir, steps)
    expect(run.lines.filter((l) => l.tag === 'FATAL')).toEqual([])
    expect(httpStatusesIn(between(run.lines, 'logout', 'after'))).toEqual(['401'])
    expect(answerOf(run.lines, logout.id)).toMatchObject({ kind: 'result', value: { deleted: 2 } })
    const deletion = authErrorsIn(run.lines).find((e) => e.details.deletedCount !== undefined)
    expect(deletion).toMatchObject({ source: 'server', details: { identifier: 'carol', deletedCount: 2 } })
    // No retry for carol: only the anonymous item goes out afterwards.
    expect(httpStatusesIn(between(run.lines, 'after', 'end'))).toEqual(['200'])
    expect(storedFor('ios-s3', 'carol')).toEqual([])
    expect(storedFor('ios-s3', null)).toEqual(['anonymous_after_logout'])
    expect(answerOf(run.lines, state.id)).toMatchObject({ value: { pendingCount: 0 } })
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log'))
    expect(logs).toHaveLength(1)
    // R11: the erasing commit rewrote the host's log: neither carol's token nor her items stay at rest.
    const atRest = readFileSync(join(dir, logs[0] ?? ''), 'utf8')
    expect(atRest).not.toContain(bad)
    expect(atRest).not.toContain('"c1"')
    expect(atRest).toContain('anonymous_after_logout')
  })

  it('R13: items persisted in the host files survive a relaunch and are sent by the next run', async () => {
    const dir = storageDir()
    const offline = { ...initialize('ios-restart') }
    // First run: the server is unreachable (closed port), the item only reaches the files.
    offline.send = { ...offline.send, config: { ...(offline.send['config'] as object), baseUrl: 'http://127.0.0.1:9' } }
    const first = await runNativeHost(hostPath, bundlePath, dir, [offline, call('track', { name: 'before_crash' }), call('whenPersisted')])
    expect(first.lines.filter((l) => l.tag === 'FATAL')).toEqual([])
    expect(storedFor('ios-restart', null)).toEqual([])
    const state = call('getState')
    const second = await runNativeHost(hostPath, bundlePath, dir, [initialize('ios-restart'), call('flush'), state])
    expect(second.lines.filter((l) => l.tag === 'FATAL')).toEqual([])
    expect(storedFor('ios-restart', null)).toEqual(['before_crash'])
    expect(answerOf(second.lines, state.id)).toMatchObject({ value: { pendingCount: 0 } })
  })
  it('R20: the host gzips every batch with zlib, the server inflates and stores every item, and bench events shrink to at most 0.3 of their size', async () => {
    const token = await issuer.issue({ identifier: BENCH_USER })
    const init = initialize('ios-gzip', { baseUrl: tap.url })
    const state = call('getState')
    const tracks = Array.from({ length: 100 }, (_, seq) => call('track', { name: BENCH_EVENT_NAME, attributes: benchAttributes(seq) }))
    const steps: ScenarioStep[] = [init, call('identify', { identifier: BENCH_USER }), call('passAuthenticationDetails', { token, identifier: BENCH_USER }), ...tracks, call('whenPersisted'), call('flush'), state]
    const run = await runNativeHost(hostPath, bundlePath, storageDir(), steps)
    expect(run.lines.filter((l) => l.tag === 'FATAL')).toEqual([])
    expect(answerOf(run.lines, init.id).kind).toBe('result')
    // On the wire (seen by the tap, not claimed by the host): gzip bodies, each answered 200.
    const sent = tappedFor('ios-gzip')
    expect(sent.length).toBeGreaterThan(0)
    expect(sent.map((r) => [r.contentEncoding, r.status])).toEqual(sent.map(() => ['gzip', 200]))
    const inflated = sent.map((r) => gunzipSync(r.body))
    const items = inflated.flatMap((body) => (JSON.parse(body.toString('utf8')) as { items: unknown[] }).items)
    expect(items).toHaveLength(100)
    const ratio = sum(sent.map((r) => r.body.length)) / sum(inflated.map((body) => body.length))
    console.log(`R20 native host: ${sent.length} request(s), ${sum(sent.map((r) => r.body.length))} gzip bytes for ${sum(inflated.map((b) => b.length))} JSON bytes of 100 bench events: ratio ${ratio.toFixed(3)}`)
    expect(ratio).toBeLessThanOrEqual(0.3)
    // The server stored every item, once.
    const stored = server.items('ios-gzip').filter((i) => i.identifier === BENCH_USER)
    expect(stored.map((i) => (i.item as { attributes?: { seq?: number } }).attributes?.seq).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 100 }, (_, seq) => seq))
    expect(answerOf(run.lines, state.id)).toMatchObject({ value: { pendingCount: 0 } })
    // The host's own account agrees with the tap.
    expect(run.lines.filter((l) => l.tag === 'HTTP').every((l) => / gzip \d+\/\d+$/.test(l.rest))).toBe(true)
  })

  it('R20: a 415 to a gzip body brings the same batch again uncompressed, and later batches stay uncompressed', async () => {
    const token = await issuer.issue({ identifier: 'dave' })
    // A server that cannot read gzip answers 415 to the first (compressed) request.
    server.injectFault({ kind: 'status', status: 415 })
    const init = initialize('ios-gzip-415', { baseUrl: tap.url })
    const state = call('getState')
    const steps: ScenarioStep[] = [
      init,
      call('identify', { identifier: 'dave' }),
      call('passAuthenticationDetails', { token, identifier: 'dave' }),
      call('track', { name: 'first' }),
      call('flush'),
      call('track', { name: 'second' }),
      call('flush'),
      state,
    ]
    const run = await runNativeHost(hostPath, bundlePath, storageDir(), steps)
    expect(run.lines.filter((l) => l.tag === 'FATAL')).toEqual([])
    server.clearFaults()
    const sent = tappedFor('ios-gzip-415')
    expect(sent.map((r) => [r.contentEncoding, r.status])).toEqual([
      ['gzip', 415],
      ['identity', 200],
      ['identity', 200],
    ])
    // R14: the resend is the same frozen batch (id, items), its body plain JSON.
    const batchOf = (body: Buffer) => {
      const { batchId, items } = JSON.parse(body.toString('utf8')) as { batchId: string; items: unknown[] }
      return { batchId, items }
    }
    expect(sent[1]?.idempotencyKey).toBe(sent[0]?.idempotencyKey)
    expect(batchOf(sent[1]?.body ?? Buffer.from('{}'))).toEqual(batchOf(gunzipSync(sent[0]?.body ?? Buffer.alloc(0))))
    expect(storedFor('ios-gzip-415', 'dave')).toEqual(['first', 'second'])
    expect(answerOf(run.lines, state.id)).toMatchObject({ value: { pendingCount: 0 } })
  })
})
