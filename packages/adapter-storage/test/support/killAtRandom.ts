import { spawn } from 'node:child_process'

/**
 * Runs a Node script as a child process, hands each stdout line to `onLine`, and SIGKILLs it at
 * a random moment within `maxDelayMs` of its first output line: a crash at an arbitrary point.
 * Resolves with a problem text when the child ended by itself instead.
 *
 * @example
 * ```ts
 * const ended = await killAtRandom(script, [directory], (line) => lines.push(line), 150)
 * expect(ended).toBeNull()
 * ```
 */
export const killAtRandom = (script: string, args: readonly string[], onLine: (line: string) => void, maxDelayMs: number): Promise<string | null> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let buffered = ''
    let armed = false
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) onLine(line)
      if (!armed) {
        armed = true
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * maxDelayMs))
      }
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve(signal === 'SIGKILL' ? null : `ended by itself (code ${code}): ${stderr.slice(0, 500)}`))
  })
