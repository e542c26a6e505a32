import { spawn } from 'node:child_process'

/**
 * How a child process ended and what it printed.
 *
 * @example
 * ```ts
 * const result: CommandResult = { code: 0, signal: null, stdout: '0.1.0\n', stderr: '', timedOut: false, durationMs: 412 }
 * ```
 */
export type CommandResult = {
  /** The exit code; null when a signal ended it or it could not start. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** True when it was still running at the deadline and got killed. */
  readonly timedOut: boolean
  readonly durationMs: number
}

/**
 * Where and how long a command may run.
 *
 * @example
 * ```ts
 * const options: CommandOptions = { cwd: '/tmp/project', timeoutMs: 60_000, env: outsideWorkspaceEnv() }
 * ```
 */
export type CommandOptions = {
  readonly cwd: string
  readonly timeoutMs: number
  readonly env?: NodeJS.ProcessEnv
  /** Written to standard input, which is then closed. */
  readonly input?: string
}

/**
 * Runs a command to its end (or to its deadline, then kills it) and never rejects: a command that
 * cannot start resolves with code null and the reason on stderr, so callers assert on one shape.
 *
 * @example
 * ```ts
 * const packed = await runCommand('pnpm', ['pack', '--pack-destination', out], { cwd: packageDir, timeoutMs: 60_000 })
 * if (packed.code !== 0) throw new Error(packed.stderr)
 * ```
 */
export const runCommand = (command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> =>
  new Promise((resolveResult) => {
    const started = Date.now()
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    const deadline = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', (error) => {
      clearTimeout(deadline)
      resolveResult({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}`, timedOut, durationMs: Date.now() - started })
    })
    child.on('close', (code, signal) => {
      clearTimeout(deadline)
      resolveResult({ code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started })
    })
    child.stdin.on('error', () => {}) // a child that exits without reading its input is not an error here
    child.stdin.end(options.input ?? '')
  })

/**
 * One line that says what a failed command did, for assertion messages.
 *
 * @example
 * ```ts
 * if (result.code !== 0) throw new Error(describeFailure('npm install', result))
 * ```
 */
export const describeFailure = (what: string, result: CommandResult): string =>
  `${what} ${result.timedOut ? `timed out after ${result.durationMs} ms` : `exited with ${result.code ?? result.signal}`}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`

/**
 * The environment of a process that should behave as in a project that has never seen this
 * workspace: without the `npm_*` / `pnpm_*` settings that pnpm passes to the scripts it runs
 * (the workspace's registry settings, its nodedir, its lifecycle) and without NODE_OPTIONS.
 *
 * @example
 * ```ts
 * await runCommand('npm', ['install', tarball], { cwd: project, timeoutMs: 120_000, env: outsideWorkspaceEnv() })
 * ```
 */
export const outsideWorkspaceEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_|node_options$)/i.test(name)))
