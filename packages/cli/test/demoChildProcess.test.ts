import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { useBundledCli } from './support/bundledCli.js'
import { WebSocketServer } from 'ws'
import { statechartToMermaid } from '@jwt-sync/core/statechart'

// The real executable, as a child process (see support/bundledCli.ts).
const { directory, binary } = useBundledCli('jwt-sync-demo-')

type Run = { code: number | null; stdout: string; stderr: string }

const run = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolveRun) => {
    const child = spawn(process.execPath, [binary, ...args], { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) => resolveRun({ code, stdout, stderr }))
  })

describe('jwt-sync demo and diagram as a child process', () => {
  it('demo: the whole story, exit 0, plain text on a pipe, and the process ends by itself', async () => {
    const result = await run(['demo'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).not.toMatch(/\u001b\[/)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines.at(-1)).toMatch(/^✔ all \d+ checks passed$/)
    for (const chapter of ['Anonymous events', 'The token expires', 'A forged token', 'Ten refusals', 'The next session', 'Logout', 'Summary']) {
      expect(lines.some((line) => /^\d+\. /.test(line) && line.includes(chapter))).toBe(true)
    }
  }, 30_000)

  it('demo --inspect-url streams to a WebSocket receiver on 127.0.0.1', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolveListening) => server.once('listening', () => resolveListening()))
    const messages: string[] = []
    server.on('connection', (socket) => socket.on('message', (data) => messages.push(data.toString())))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('unexpected address')
    try {
      const result = await run(['demo', '--inspect-url', `ws://127.0.0.1:${address.port}`])
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const types = new Set(messages.map((message) => (JSON.parse(message) as { type: string }).type))
      expect(types.has('@xstate.snapshot') && types.has('@xstate.event')).toBe(true)
    } finally {
      await new Promise<void>((resolveClosed) => server.close(() => resolveClosed()))
    }
  }, 30_000)

  it('diagram prints statechartToMermaid()', async () => {
    const result = await run(['diagram'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`${statechartToMermaid()}\n`)
  })
})
