import type { CommandIo } from './command.js'

/**
 * The real process's IO: stdout/stderr lines, stdin, the current directory, and a stop signal
 * raised by SIGINT or SIGTERM.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), processIo(), commands)
 * ```
 */
export const processIo = (): CommandIo => {
  const stop = new AbortController()
  const onSignal = (): void => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  // A reader that went away (`jwt-sync demo | head`) is not an error: stop quietly.
  const onPipeError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  }
  process.stdout.on('error', onPipeError)
  process.stderr.on('error', onPipeError)
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
    cwd: process.cwd(),
    stopSignal: stop.signal,
  }
}
