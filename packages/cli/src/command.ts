/**
 * What a command may touch: output, input, the working directory and a stop request.
 *
 * @example
 * ```ts
 * const io: CommandIo = { stdout: console.log, stderr: console.error, readStdin: async () => '', cwd: process.cwd(), stopSignal: new AbortController().signal }
 * ```
 */
export type CommandIo = {
  /** Writes one line to standard output. */
  readonly stdout: (line: string) => void
  /** Writes one line to standard error. */
  readonly stderr: (line: string) => void
  /** All of standard input (for `jwt-sync verify -`). */
  readonly readStdin: () => Promise<string>
  /** Relative paths in options resolve against this. */
  readonly cwd: string
  /** Aborted when the user asks to stop (Ctrl+C): long-running commands (`serve`) end then. */
  readonly stopSignal: AbortSignal
}

/**
 * One `jwt-sync` command. `run` gets the arguments after the command name and returns the exit
 * code; it never throws on bad input (the dispatcher still turns an unexpected throw into a
 * one-line error).
 *
 * @example
 * ```ts
 * export const helloCommand: Command = {
 *   name: 'hello',
 *   summary: 'say hello',
 *   usage: 'Usage: jwt-sync hello [--name NAME]',
 *   run: async (args, io) => { io.stdout('hello'); return 0 },
 * }
 * ```
 */
export type Command = {
  readonly name: string
  /** One line for the command list of `jwt-sync --help`. */
  readonly summary: string
  /** The full text of `jwt-sync <name> --help`. */
  readonly usage: string
  /**
   * Runs the command with the arguments after its name (`runCli` answers `--help` before calling it)
   * and resolves to its exit code (`EXIT`). Reports problems on `io.stderr`, never throws on bad
   * input; long-running commands resolve once `io.stopSignal` aborts.
   */
  readonly run: (args: readonly string[], io: CommandIo) => Promise<number>
}

/**
 * Exit codes of every command.
 *
 * @example
 * ```ts
 * return usageIsWrong ? EXIT.usage : EXIT.ok
 * ```
 */
export const EXIT = {
  ok: 0,
  /** Something failed at run time, or `verify` found the token would be refused. */
  failure: 1,
  /** The command line was wrong. */
  usage: 2,
} as const

/**
 * Reports a wrong command line the one way every command does (`jwt-sync <command>: <reason>` on
 * stderr) and gives the usage exit code.
 *
 * @example
 * ```ts
 * if (E.isLeft(parsed)) return usageError(io, 'serve', parsed.left)
 * ```
 */
export const usageError = (io: Pick<CommandIo, 'stderr'>, command: string, message: string): number => {
  io.stderr(`jwt-sync ${command}: ${message}`)
  return EXIT.usage
}
