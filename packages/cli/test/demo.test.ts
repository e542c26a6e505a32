import { beforeAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { createDemoCommand } from '../src/commands/demo.js'
import { runDemoStory, type DemoResult } from '../src/demo/story.js'
import { createDemoTerminal } from '../src/demo/terminal.js'
import { runCli } from '../src/index.js'
import { captureIo } from './support/captureIo.js'

const ANSI = /\u001b\[/
/** A whole JWT: three base64url parts, the first two JSON objects. */
const FULL_JWT = /eyJ[\w-]{6,}\.eyJ[\w-]{6,}\.[\w-]{20,}/

let result: DemoResult
const lines: string[] = []

beforeAll(async () => {
  const played = await runDemoStory({ terminal: createDemoTerminal({ writeLine: (line) => lines.push(line), colors: false }) })
  if (E.isLeft(played)) throw new Error(played.left)
  result = played.right
}, 30_000)

/** The value printed on a summary row, e.g. `items tracked   11`. */
const summaryValue = (label: string): string => {
  const row = lines.find((line) => line.trimStart().startsWith(label))
  if (row === undefined) throw new Error(`no summary row "${label}" in:\n${lines.join('\n')}`)
  return row.slice(row.indexOf(label) + label.length).trim()
}

describe('jwt-sync demo (in process, real SDK, reference server on loopback)', () => {
  it('every expected step of the story happened (the demo checks itself)', () => {
    const failed = result.checks.filter((check) => !check.passed)
    expect(failed).toEqual([])
    expect(result.ok).toBe(true)
    expect(lines.at(-1)).toBe(`✔ all ${result.checks.length} checks passed`)
  })

  it('the summary figures are what the server recorded', () => {
    const { storedItems, requests } = result.evidence
    const log = requests.map((request) => request.entry)
    // Delivered: the items the server stored; requests: its request log.
    expect(result.summary.delivered).toBe(storedItems.length)
    expect(summaryValue('delivered (stored by server)')).toBe(String(storedItems.length))
    const statuses = new Map<number | null, number>()
    for (const entry of log) statuses.set(entry.status, (statuses.get(entry.status) ?? 0) + 1)
    expect(summaryValue('requests made')).toBe(`${log.length} (${statuses.get(200)} × 200, ${statuses.get(401)} × 401)`)
    expect([...statuses.keys()].sort()).toEqual([200, 401])
    // Nothing lost: tracked = stored + deleted under R11 (nothing pending at the end).
    expect(Number(summaryValue('items tracked'))).toBe(storedItems.length + result.summary.deletedUnderR11)
    expect(Number(summaryValue('deleted under R11 (logout)'))).toBe(result.summary.deletedUnderR11)
    expect(summaryValue('still pending')).toBe('0')
    // The items deleted at logout are exactly those the server refused in the logout request.
    const logoutRequest = log.at(-2)
    expect(logoutRequest).toMatchObject({ status: 401, authResult: 'INVALID_SIGNATURE', identifier: 'alice' })
    expect(result.summary.deletedUnderR11).toBe(logoutRequest?.items)
    expect(storedItems.some((record) => record.item.name === 'Added to wishlist')).toBe(false)
  })

  it('R8: auth failures per session match the server log: 10 then suspension, none after the new session', () => {
    const bySession = new Map<string, number>()
    for (const { entry, sessionId } of result.evidence.requests) if (entry.status === 401) bySession.set(sessionId, (bySession.get(sessionId) ?? 0) + 1)
    expect(result.summary.authFailuresBySession.map((session) => session.authFailures)).toEqual(result.summary.authFailuresBySession.map((session) => bySession.get(session.sessionId) ?? 0))
    expect(Math.max(...bySession.values())).toBe(10)
    const sessions = result.summary.authFailuresBySession
    expect(sessions.length).toBeGreaterThanOrEqual(3)
    for (const [index, session] of sessions.entries()) {
      expect(lines.some((line) => line.includes(`session ${index + 1} (${session.sessionId})`) && line.includes(`${session.authFailures} of ${session.requests} requests`))).toBe(true)
    }
    // The session that resumed sync delivered with no failure.
    expect(sessions[1]?.authFailures).toBe(0)
  })

  it('R2, R3: anonymous batches carry no token; alice\'s carry a token the server verified or refused', () => {
    for (const { entry } of result.evidence.requests) {
      if (entry.identifier === null) expect(entry.tokenFingerprint).toBeUndefined()
      else expect(entry.tokenFingerprint).toMatch(/^jwt\(kid=\S+ exp=\S+ #[0-9a-f]{8}\)$/)
    }
    // The expired token was caught by the client: the server never saw TIME_CONSTRAINT_FAILURE.
    expect(result.evidence.requests.some(({ entry }) => entry.authResult === 'TIME_CONSTRAINT_FAILURE')).toBe(false)
  })

  it('R18: no printed line holds a full token', () => {
    expect(result.evidence.issuedTokens.length).toBeGreaterThan(10)
    const output = lines.join('\n')
    for (const token of result.evidence.issuedTokens) expect(output.includes(token.slice(0, 9))).toBe(false)
    expect(output).not.toMatch(FULL_JWT)
  })
})

describe('the demo checks itself', () => {
  it('a step that does not happen is reported (✘) and the result is not ok', async () => {
    const output: string[] = []
    const played = await runDemoStory({
      terminal: createDemoTerminal({ writeLine: (line) => output.push(line), colors: false }),
      // The first batch (the anonymous one) gets a 503: R2's step cannot be seen as planned.
      onServerStarted: (server) => server.injectFault({ kind: 'status', status: 503 }, 1),
    })
    if (E.isLeft(played)) throw new Error(played.left)
    expect(played.right.ok).toBe(false)
    const failed = played.right.checks.filter((check) => !check.passed)
    expect(failed.map((check) => check.chapter)).toContain('Anonymous events go without a token')
    expect(output.some((line) => line.includes('✘ server stored the 2 anonymous items'))).toBe(true)
    expect(output.at(-1)).toMatch(/^✘ \d+ of \d+ checks failed: /)
    // Still nothing lost: the 503'd items were retried and stored once (R9, R14).
    expect(played.right.summary.delivered).toBe(played.right.summary.itemsTracked - played.right.summary.deletedUnderR11 - played.right.summary.pendingAtEnd)
  }, 30_000)
})

describe('jwt-sync demo as a command', () => {
  it('exits 0 with plain text when stdout is not a terminal', async () => {
    const { io, out, err } = captureIo()
    const code = await runCli(['demo'], io, [createDemoCommand(() => ({ isTty: false, env: {} }))])
    expect(err).toEqual([])
    expect(code).toBe(0)
    expect(out.join('\n')).not.toMatch(ANSI)
    expect(out.at(-1)).toMatch(/^✔ all \d+ checks passed$/)
  }, 30_000)

  it('colours and a spinner on a terminal; NO_COLOR turns colours off', async () => {
    const raw: string[] = []
    const colored = captureIo()
    expect(await runCli(['demo'], colored.io, [createDemoCommand(() => ({ isTty: true, env: {}, rawWrite: (chunk) => raw.push(chunk) }))])).toBe(0)
    expect(colored.out.join('\n')).toMatch(ANSI)
    expect(raw.join('')).toMatch(/⠋.*generating RSA key pairs/)

    const plain = captureIo()
    expect(await runCli(['demo'], plain.io, [createDemoCommand(() => ({ isTty: true, env: { NO_COLOR: '1' }, rawWrite: () => undefined }))])).toBe(0)
    expect(plain.out.join('\n')).not.toMatch(ANSI)
  }, 30_000)

  it('--help describes the story and the options; a bad option is a usage error', async () => {
    const help = captureIo()
    expect(await runCli(['demo', '--help'], help.io, [createDemoCommand()])).toBe(0)
    expect(help.out.join('\n')).toMatch(/--inspect-url URL/)
    expect(help.out.join('\n')).toMatch(/--pace MS/)
    const bad = captureIo()
    expect(await runCli(['demo', '--fast'], bad.io, [createDemoCommand()])).toBe(2)
    expect(bad.err[0]).toMatch(/^jwt-sync demo: /)
    const badPace = captureIo()
    expect(await runCli(['demo', '--pace', 'slow'], badPace.io, [createDemoCommand()])).toBe(2)
    expect(badPace.err[0]).toMatch(/--pace/)
  })
})
