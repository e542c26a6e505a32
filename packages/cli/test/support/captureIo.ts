import type { CommandIo } from '../../src/index.js'

export type CapturedIo = {
  readonly io: CommandIo
  readonly out: string[]
  readonly err: string[]
  readonly stop: () => void
  /** Resolves with the first stdout line matching the pattern. */
  readonly waitForLine: (pattern: RegExp, timeoutMs?: number) => Promise<string>
}

/** A CommandIo that records output, for running commands in process. */
export const captureIo = (options: { cwd?: string; stdin?: string } = {}): CapturedIo => {
  const out: string[] = []
  const err: string[] = []
  const stop = new AbortController()
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = []
  const io: CommandIo = {
    stdout: (line) => {
      out.push(...line.split('\n'))
      for (const waiter of [...waiters]) {
        const match = line.split('\n').find((candidate) => waiter.pattern.test(candidate))
        if (match !== undefined) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve(match)
        }
      }
    },
    stderr: (line) => err.push(...line.split('\n')),
    readStdin: async () => options.stdin ?? '',
    cwd: options.cwd ?? process.cwd(),
    stopSignal: stop.signal,
  }
  const waitForLine = (pattern: RegExp, timeoutMs = 5000): Promise<string> => {
    const existing = out.find((line) => pattern.test(line))
    if (existing !== undefined) return Promise.resolve(existing)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${out.join('\n')}\n${err.join('\n')}`)), timeoutMs)
      waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) })
    })
  }
  return { io, out, err, stop: () => stop.abort(), waitForLine }
}
