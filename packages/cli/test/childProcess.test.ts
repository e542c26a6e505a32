import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { useBundledCli } from './support/bundledCli.js'

// The real executable, as a child process (see support/bundledCli.ts).
const { directory, binary } = useBundledCli('jwt-sync-bin-')

type Run = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

const run = (args: string[], stdin?: string): Promise<Run> =>
  new Promise((resolveRun) => {
    const child = spawn(process.execPath, [binary, ...args], { cwd: directory, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }))
    child.stdin.end(stdin ?? '')
  })

describe('jwt-sync as a child process', () => {
  it('--help exits 0; an unknown command exits 2 with one line on stderr', async () => {
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: jwt-sync <command>')
    const unknown = await run(['bogus'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('token | verify -: exit 0 for the right identifier, 1 with the code for another', async () => {
    const issued = await run(['token', '--identifier', 'alice', '--save-keys', 'keys'])
    expect(issued.code).toBe(0)
    const token = issued.stdout.trim()
    const accepted = await run(['verify', '-', '--key', 'keys/public.pem', '--identifier', 'alice'], token)
    expect(accepted.code).toBe(0)
    expect(accepted.stdout).toContain('verdict  ACCEPTED')
    const refused = await run(['verify', token, '--key', 'keys/public.pem', '--identifier', 'mallory'])
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain('401 IDENTIFIER_MISMATCH (4004)')
  })

  it('serve: prints the URL, serves, and exits 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [binary, 'serve', '--port', '0', '--app', 'shop'], { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout}`)), 10_000)
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(stdout)
        if (match?.[1] !== undefined) {
          clearTimeout(timer)
          resolveUrl(match[1])
        }
      })
    })
    const exited = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)))
    try {
      const response = await fetch(`${url}/v1/apps/shop/batches`, {
        method: 'POST',
        body: JSON.stringify({ batchId: 'b', sentAt: 1, environment: 'test', identity: null, items: [] }),
      })
      expect(response.status).toBe(200)
    } finally {
      child.kill('SIGINT')
    }
    expect(await exited).toBe(0)
    expect(stdout).toContain('stopped.')
  })
})
