import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { WebSocketServer } from 'ws'
import { createDemoCommand } from '../src/commands/demo.js'
import { connectInspector } from '../src/demo/inspector.js'
import { runDemoStory } from '../src/demo/story.js'
import { createDemoTerminal } from '../src/demo/terminal.js'
import { runCli } from '../src/index.js'
import { captureIo } from './support/captureIo.js'

/** A whole JWT: three base64url parts, the first two JSON objects. */
const FULL_JWT = /eyJ[\w-]{6,}\.eyJ[\w-]{6,}\.[\w-]{20,}/

type Receiver = { readonly url: string; readonly messages: string[]; readonly close: () => Promise<void> }

/** What the Stately inspector does on its side: a WebSocket server collecting what is streamed. */
const startReceiver = async (): Promise<Receiver> => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const messages: string[] = []
  server.on('connection', (socket) => socket.on('message', (data) => messages.push(data.toString())))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('unexpected address')
  return {
    url: `ws://127.0.0.1:${address.port}`,
    messages,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resolve())
      }),
  }
}

/** Waits until no message has arrived for `quietMs`. */
const settle = async (messages: readonly string[], quietMs = 150): Promise<void> => {
  let count = -1
  while (count !== messages.length) {
    count = messages.length
    await new Promise((resolve) => setTimeout(resolve, quietMs))
  }
}

type Decoded = { readonly type: string; readonly event?: { readonly type?: string }; readonly snapshot?: { readonly context?: Record<string, unknown> } }

/** JSON paths of the strings holding a full token, or more of one than its first 8 characters. */
const tokenPaths = (value: unknown, path: string, tokens: readonly string[]): string[] => {
  if (typeof value === 'string') return tokens.some((token) => value.includes(token.slice(0, 9))) || FULL_JWT.test(value) ? [path] : []
  if (Array.isArray(value)) return value.flatMap((item) => tokenPaths(item, `${path}[]`, tokens))
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => tokenPaths(item, `${path}.${key}`, tokens))
  return []
}

let receiver: Receiver | null = null
afterEach(async () => {
  await receiver?.close()
  receiver = null
})

describe('demo --inspect: the statechart streamed to an XState inspector over WebSocket', () => {
  it('R19, R18: snapshots and events reach the receiver, decodable, and none holds a full token', async () => {
    receiver = await startReceiver()
    const connected = await connectInspector(receiver.url, 3000)
    if (E.isLeft(connected)) throw new Error(connected.left)
    const played = await runDemoStory({ terminal: createDemoTerminal({ writeLine: () => undefined, colors: false }), inspect: connected.right.inspect })
    await connected.right.stop()
    await settle(receiver.messages)
    if (E.isLeft(played)) throw new Error(played.left)
    expect(played.right.ok).toBe(true)

    const decoded = receiver.messages.map((message) => JSON.parse(message) as Decoded)
    const types = new Set(decoded.map((message) => message.type))
    expect(types.has('@xstate.snapshot')).toBe(true)
    expect(types.has('@xstate.event')).toBe(true)
    // The story's events are there: tokens passed, logout.
    const eventTypes = new Set(decoded.filter((message) => message.type === '@xstate.event').map((message) => message.event?.type))
    expect(eventTypes.has('TOKEN_PASSED')).toBe(true)
    expect(eventTypes.has('LOGOUT')).toBe(true)
    // Tokens were in the machine context, shown as fingerprints (R18).
    const withTokens = decoded.filter((message) => message.type === '@xstate.snapshot' && JSON.stringify(message.snapshot?.context?.['tokens'] ?? {}).includes('alice'))
    expect(withTokens.length).toBeGreaterThan(0)

    const issued = played.right.evidence.issuedTokens
    expect(issued.length).toBeGreaterThan(10)
    // Where a token shows in more than its first 8 characters: "<message type>(<actor or event>) <JSON path>".
    const leaks = new Set<string>()
    decoded.forEach((message, index) => {
      const label = `${message.type}(${(message as { name?: string }).name ?? message.event?.type ?? ''})`
      for (const path of tokenPaths(message, '', issued)) leaks.add(`${label} ${path}`)
      const raw = receiver?.messages[index] ?? ''
      if (leaks.size === 0 && (FULL_JWT.test(raw) || issued.some((token) => raw.includes(token.slice(0, 9))))) leaks.add(`${label} (somewhere in the text)`)
    })
    expect([...leaks]).toEqual([])
  }, 30_000)

  it('the command streams with --inspect-url and still exits 0', async () => {
    receiver = await startReceiver()
    const { io, out } = captureIo()
    const code = await runCli(['demo', '--inspect-url', receiver.url], io, [createDemoCommand(() => ({ isTty: false, env: {} }))])
    await settle(receiver.messages)
    expect(code).toBe(0)
    expect(out[0]).toBe(`streaming the statechart to the inspector at ${receiver.url}`)
    expect(receiver.messages.length).toBeGreaterThan(50)
    const types = new Set(receiver.messages.map((message) => (JSON.parse(message) as Decoded).type))
    expect([...types].sort()).toEqual(['@xstate.actor', '@xstate.event', '@xstate.snapshot'])
  }, 30_000)

  it('an inspector URL where nothing listens: one line on stderr, exit 1, no demo', async () => {
    // A port that was free a moment ago.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()))
    const address = probe.address()
    if (address === null || typeof address === 'string') throw new Error('unexpected address')
    await new Promise((resolve) => probe.close(resolve))
    const url = `ws://127.0.0.1:${address.port}`
    const { io, out, err } = captureIo()
    expect(await runCli(['demo', '--inspect-url', url], io, [createDemoCommand(() => ({ isTty: false, env: {} }))])).toBe(1)
    expect(out).toEqual([])
    expect(err).toHaveLength(1)
    expect(err[0]).toContain(`no inspector at ${url}`)
  })
})
