import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createTokenIssuer } from '@jwt-sync/reference-server'
import * as E from 'fp-ts/lib/Either.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildBundleFile } from './support/bundleFile.js'
import { findJsc } from './support/jscShell.js'

// The bundle in a real JavaScriptCore engine (the jsc shell), driven by test/jsc/host.js, a host
// that speaks only the protocol, with every non-ECMAScript global poisoned before the bundle loads.

type Record_ = { event: string; [key: string]: unknown }
type Answer = { kind: string; id: string | null; value?: Record<string, unknown>; error?: { code: string; field?: string } }

let records: Record_[] = []
let bundleText = ''
const hostScript = fileURLToPath(new URL('./jsc/host.js', import.meta.url))

beforeAll(async () => {
  const jsc = findJsc()
  const bundle = await buildBundleFile()
  bundleText = readFileSync(bundle, 'utf8')
  const issuer = createTokenIssuer()
  if (E.isLeft(issuer)) throw new Error(issuer.left)
  // A token that passes the client checks; the jsc host plays the server and answers 401.
  const token = await issuer.right.issue({ identifier: 'alice' })
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(jsc, [hostScript, '--', bundle, JSON.stringify({ identifier: 'alice', token })], { timeout: 30_000 }, (error, out, err) =>
      error ? reject(new Error(`jsc failed: ${String(error)}\n${err}\n${out}`)) : resolve(out),
    ),
  )
  records = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record_)
})

const step = (name: string): Record_ & { answer?: Answer } => {
  const found = records.find((r) => r.event === 'step' && r.name === name)
  if (found === undefined) throw new Error(`step ${name} missing; host printed ${JSON.stringify(records.slice(-3))}`)
  return found
}

describe('bundle in the jsc shell (JavaScriptCore)', () => {
  it('defines exactly one global and touches no global beyond ECMAScript', () => {
    const loaded = records.find((r) => r.event === 'loaded')
    expect(loaded).toEqual({ event: 'loaded', added: ['JwtSyncBridge'], touched: [], loadError: null })
    expect(records.find((r) => r.event === 'done')).toEqual({ event: 'done', touched: [] })
    expect(records.filter((r) => r.event === 'host-error')).toEqual([])
  })

  it('names no host global even on paths this run did not take (feature checks, default clock)', () => {
    const host = 'window|self|global|process|console|setTimeout|clearTimeout|fetch|AbortController|TextEncoder|atob|btoa|crypto|queueMicrotask'
    expect(bundleText.match(new RegExp(`typeof (${host})\\b`, 'g'))).toBeNull()
    expect(bundleText.match(new RegExp(`globalThis\\.(${host})\\b`, 'g'))).toBeNull()
    expect(bundleText.startsWith('"use strict";var JwtSyncBridge=(()=>{')).toBe(true)
  })

  it('R17: malformed messages, unknown kinds and versions get error answers naming the problem', () => {
    const errors = records
      .filter((r) => r.event === 'answer')
      .map((r) => r['message'] as Answer)
      .filter((m) => m.kind === 'error')
      .slice(0, 5)
      .map((m) => [m.id, m.error?.code])
    expect(errors).toEqual([
      [null, 'MALFORMED_JSON'],
      [null, 'MALFORMED_MESSAGE'],
      ['x1', 'UNSUPPORTED_VERSION'],
      ['x2', 'UNKNOWN_KIND'],
      ['x3', 'MALFORMED_MESSAGE'],
    ])
  })

  it('SDK calls work over the channel: initialize, track, flush over host HTTP', () => {
    expect(step('initialize').answer).toMatchObject({ kind: 'result', value: { appId: 'jsc-app', identifier: null } })
    expect(step('track-anonymous').answer?.kind).toBe('result')
    expect(step('flush-anonymous')).toMatchObject({ answer: { kind: 'result', value: { delivered: 1, pending: 0 } }, authorization: null })
    expect(step('identify').answer?.kind).toBe('result')
    expect(step('token').answer?.kind).toBe('result')
  })

  it('R7: a 401 from the host reaches the native listener as an authError message', () => {
    const flush = step('flush-user-401')
    expect(String(flush['authorization'])).toMatch(/^Bearer eyJ/)
    const authError = records.find((r) => r.event === 'authError')?.['message'] as { error: Record<string, unknown> } | undefined
    expect(authError?.error).toMatchObject({ type: 'JWT', source: 'server', accountMeta: { appId: 'jsc-app' }, details: { code: 'INVALID_SIGNATURE', identifier: 'alice' } })
  })

  it('R12: the periodic flush runs when the host fires the timer', () => {
    const periodic = step('periodic-flush')
    expect(periodic['httpRequestsBefore']).toBe(0)
    expect(periodic['httpRequestsAfter']).toBe(1)
  })

  it('R9: a request the host never answers times out through a host timer and stays pending for retry', () => {
    const after = step('after-unanswered-request')
    expect(after.answer).toMatchObject({ kind: 'result', value: { pendingCount: 1, consecutiveAuthFailures: 0 } }) // a timeout is not an auth failure (logout reset the count)
    const requests = after['requests'] as { id: string; idempotencyKey: string }[]
    // The unanswered request and its retry: same frozen batch (R14), a new request id.
    expect(requests).toHaveLength(2)
    expect(requests[1]?.idempotencyKey).toBe(requests[0]?.idempotencyKey)
    expect(requests[1]?.id).not.toBe(requests[0]?.id)
    const timedOut = records.find((r) => r.event === 'log' && JSON.stringify(r['message']).includes('did not answer the HTTP request within 15000 ms'))
    expect(timedOut).toBeDefined()
    const late = records.map((r) => r['message'] as Answer | undefined).find((m) => m?.id === 'h999')
    expect(late?.error?.code).toBe('UNKNOWN_REQUEST')
    expect(step('shutdown').answer?.kind).toBe('result')
  })
  it('R20: a host that declared gzip gets compressBody "gzip" on http messages while compression is on; a host without the capability does not', () => {
    const run = (name: string) => step(name)['run']
    expect(run('gzip-capable')).toEqual({ initialize: 'result', compressBody: ['gzip'], delivered: 1 })
    expect(run('gzip-no-capabilities')).toEqual({ initialize: 'result', compressBody: [null], delivered: 1 })
    expect(run('gzip-declared-false')).toEqual({ initialize: 'result', compressBody: [null], delivered: 1 })
    // networkConfig.compression 'none': the core does not allow it, so the bridge asks nothing of the host.
    expect(run('gzip-compression-none')).toEqual({ initialize: 'result', compressBody: [null], delivered: 1 })
  })

  it('R20: after a 415 to a gzip request the same batch goes to the host again without compressBody', () => {
    expect(step('gzip-refused-415')['run']).toEqual({ initialize: 'result', compressBody: ['gzip', null], delivered: 1 })
  })
})
