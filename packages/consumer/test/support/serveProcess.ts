import { spawn } from 'node:child_process'
import { outsideWorkspaceEnv } from '../../src/childProcess.js'

/**
 * `jwt-sync serve` running as a child process.
 *
 * @example
 * ```ts
 * const server = await startServe(project.bin('jwt-sync'), project.directory, ['--app', 'my-app', '--key', 'keys/public.pem'])
 * await fetch(`${server.url}/admin/apps/my-app/items`)
 * await server.stop()
 * ```
 */
export type ServeProcess = {
  /** The base URL it printed (`jwt-sync reference server listening on <url>`). */
  readonly url: string
  /** Everything it printed so far. */
  readonly output: () => string
  /** SIGINT (Ctrl+C), then the exit code. */
  readonly stop: () => Promise<number | null>
}

/**
 * Starts `<bin> serve --port 0 ...args` and resolves with the URL it prints; rejects with its
 * output when it exits or prints no URL within 20 s.
 *
 * @example
 * ```ts
 * const server = await startServe('/tmp/p/node_modules/.bin/jwt-sync', '/tmp/p', ['--app', 'shop'])
 * ```
 */
export const startServe = (bin: string, cwd: string, args: readonly string[]): Promise<ServeProcess> =>
  new Promise((resolveServer, reject) => {
    const child = spawn(bin, ['serve', '--port', '0', ...args], { cwd, env: outsideWorkspaceEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const exited = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`jwt-sync serve printed no URL within 20 s:\n${output}`))
    }, 20_000)
    const onOutput = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1] === undefined) return
      clearTimeout(timer)
      resolveServer({
        url: match[1],
        output: () => output,
        stop: async () => {
          child.kill('SIGINT')
          return exited
        },
      })
    }
    child.stdout.on('data', onOutput)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`jwt-sync serve exited with ${code} before printing its URL:\n${output}`))
    })
  })
