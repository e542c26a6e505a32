import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DEFAULTS, JWT_ERROR_CODES, createMemoryStorage, createSdk } from '@jwt-sync/core'
import { describeSyncMachine, listTransitions } from '@jwt-sync/core/statechart'
import * as core from '@jwt-sync/core'
import type { Transport } from '@jwt-sync/core'
import { describe, expect, it } from 'vitest'

// docs/jwt-flow.md promises that every name in it is the real one. These checks keep it so when
// the core changes: each name the document uses is looked up in the running core.
const doc = readFileSync(fileURLToPath(new URL('../../../docs/jwt-flow.md', import.meta.url)), 'utf8')
const diagram = doc.match(/```mermaid\n([\s\S]*?)```/)?.[1] ?? ''

/** Words in capitals that are plain words of the text, not names from the code. */
const PLAIN_WORDS = new Set(['JWT', 'JSON', 'SDK', 'POST', 'HTTP', 'README', 'RS256', 'RS512'])
/** Rule ids of docs/rules.md (R1-R19, S1-S3). */
const isRuleId = (word: string): boolean => /^[RS]\d+$/.test(word)

/** The names `name(` that a diagram line from `from` to `to` calls. */
const callsBetween = (from: string, to: string): string[] => {
  const names = new Set<string>()
  for (const line of diagram.split('\n')) {
    const message = line.trim().match(new RegExp(`^${from}-[->)]+${to}: (.*)$`))?.[1]
    if (message === undefined) continue
    for (const call of message.matchAll(/\b([a-zA-Z]+)\(/g)) names.add(call[1] ?? '')
  }
  return [...names]
}

describe('docs/jwt-flow.md uses the real names', () => {
  it('has one sequence diagram with the six participants', () => {
    expect(diagram.startsWith('sequenceDiagram')).toBe(true)
    const participants = [...diagram.matchAll(/^\s*participant (\w+)/gm)].map((m) => m[1])
    expect(participants).toEqual(['App', 'AppServer', 'Core', 'Storage', 'Transport', 'Ingest'])
  })

  it('every name in capitals is a JWT error code or an event the statechart handles', () => {
    const events = new Set(listTransitions(describeSyncMachine()).map((t) => t.event))
    const names = new Set([...doc.matchAll(/\b[A-Z][A-Z0-9_]{2,}\b/g)].map((m) => m[0]))
    const unknown = [...names].filter((name) => !(name in JWT_ERROR_CODES) && !events.has(name) && !PLAIN_WORDS.has(name) && !isRuleId(name))
    expect(unknown).toEqual([])
    // The story needs these; if one is renamed in the core, the document must follow.
    for (const event of ['RESTORED', 'ITEMS_TRACKED', 'BATCH_FORMED', 'BATCH_SENT', 'TOKEN_PASSED', 'LOGOUT', 'SYNC']) {
      expect(events.has(event), event).toBe(true)
      expect(names.has(event), event).toBe(true)
    }
  })

  it('every numeric code next to an error code is that code\'s number', () => {
    const pairs = [
      ...[...doc.matchAll(/code: '([A-Z_]+)', numericCode: (\d+)/g)].map((m) => [m[1], m[2]]),
      ...[...doc.matchAll(/`([A-Z_]+)` \((\d+)\)/g)].map((m) => [m[1], m[2]]),
    ]
    expect(pairs.length).toBeGreaterThanOrEqual(3)
    for (const [code, numeric] of pairs) {
      expect(JWT_ERROR_CODES[code as keyof typeof JWT_ERROR_CODES], `${code} (${numeric})`).toBe(Number(numeric))
    }
  })

  it('every default it quotes is the core\'s default', () => {
    const quoted = [...doc.matchAll(/`?(\w+)`? \((\d+)( min| s)?\)/g)].filter((m) => (m[1] ?? '') in DEFAULTS)
    expect(quoted.map((m) => m[1])).toEqual(expect.arrayContaining(['maxConsecutiveAuthFailures', 'inactivityTimeoutMs']))
    for (const [text, name, value, unit] of quoted) {
      const ms = Number(value) * (unit === ' min' ? 60_000 : unit === ' s' ? 1_000 : 1)
      expect(DEFAULTS[name as keyof typeof DEFAULTS], text).toBe(ms)
    }
  })

  it('what the app calls on the core exists, and so does what the core calls on storage', async () => {
    // Never called: this instance is only looked at, then shut down.
    const transport: Transport = { send: () => () => Promise.reject(new Error('not used')) }
    const sdk = createSdk(
      { appId: 'docs', baseUrl: 'http://127.0.0.1:9', environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } } },
      { transport },
    )
    const appCalls = callsBetween('App', 'Core')
    expect(appCalls).toEqual(expect.arrayContaining(['createSdk', 'identify', 'passAuthenticationDetails', 'logout']))
    for (const name of appCalls) {
      expect(typeof (sdk as Record<string, unknown>)[name] === 'function' || typeof (core as Record<string, unknown>)[name] === 'function', name).toBe(true)
    }
    await sdk.shutdown()

    const storage = createMemoryStorage()
    const opened = await storage.open('docs')()
    expect(opened._tag).toBe('Right')
    const namespace = opened._tag === 'Right' ? opened.right : null
    const storageCalls = callsBetween('Core', 'Storage')
    expect(storageCalls).toEqual(expect.arrayContaining(['open', 'load', 'peek', 'commit']))
    for (const name of storageCalls) {
      const owner = name === 'open' ? storage : namespace
      expect(typeof (owner as Record<string, unknown> | null)?.[name], name).toBe('function')
    }
    await namespace?.close()
  })
})
