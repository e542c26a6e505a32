import * as E from 'fp-ts/lib/Either.js'
import { EXIT, type Command, type CommandIo } from './command.js'
import { readPackageVersion } from './packageVersion.js'

const HELP_FLAGS = new Set(['--help', '-h'])
const VERSION_FLAGS = new Set(['--version', '-v'])

const globalUsage = (commands: readonly Command[]): string => {
  const width = Math.max(...commands.map((command) => command.name.length), 4)
  return [
    'Usage: jwt-sync <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -v, --version  print the version of jwt-sync',
    '',
    'Run `jwt-sync <command> --help` for the options of a command.',
  ].join('\n')
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error'

/**
 * The `jwt-sync` dispatcher: picks the command named by the first argument, answers `--help`
 * (globally and per command) and `--version`, and turns anything unexpected into one line on
 * stderr with a non-zero exit code. Returns the exit code. `readVersion` is where `--version`
 * gets its answer (the CLI's package.json unless told otherwise).
 *
 * @example
 * ```ts
 * const code = await runCli(['token', '--identifier', 'alice'], io, [serveCommand, tokenCommand, verifyCommand])
 * await runCli(['--version'], io, commands) // prints 0.1.0
 * ```
 */
export const runCli = async (
  argv: readonly string[],
  io: CommandIo,
  commands: readonly Command[],
  readVersion: () => E.Either<string, string> = readPackageVersion,
): Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.stderr(globalUsage(commands))
    return EXIT.usage
  }
  if (VERSION_FLAGS.has(name)) {
    const version = readVersion()
    if (E.isLeft(version)) {
      io.stderr(`jwt-sync: version unknown: ${version.left}`)
      return EXIT.failure
    }
    io.stdout(version.right)
    return EXIT.ok
  }
  if (HELP_FLAGS.has(name) || name === 'help') {
    const topic = commands.find((command) => command.name === rest[0])
    io.stdout(topic?.usage ?? globalUsage(commands))
    return EXIT.ok
  }
  const command = commands.find((candidate) => candidate.name === name)
  if (command === undefined) {
    io.stderr(`jwt-sync: unknown command ${JSON.stringify(name)}; commands: ${commands.map((known) => known.name).join(', ')} (see jwt-sync --help)`)
    return EXIT.usage
  }
  // `--` ends the options: a token that happens to be "--help" after it is an argument.
  const optionArgs = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest
  if (optionArgs.some((arg) => HELP_FLAGS.has(arg))) {
    io.stdout(command.usage)
    return EXIT.ok
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    io.stderr(`jwt-sync ${command.name}: ${errorMessage(error)}`)
    return EXIT.failure
  }
}
