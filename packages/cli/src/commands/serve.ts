import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from '@jwt-sync/core'
import { ENFORCEMENTS, SQLITE_NOT_INSTALLED, isEnforcement, startReferenceServer, type ReferenceServer } from '@jwt-sync/reference-server'
import { resolve } from 'node:path'
import { integerOption, parseArguments, stringOption, stringOptions } from '../arguments.js'
import { EXIT, type Command, type CommandIo, usageError } from '../command.js'
import { readKeyFile, type KeyFile } from '../keyFiles.js'

/**
 * The port `serve` uses unless told otherwise: fixed, so the app's baseUrl stays the same across runs.
 *
 * @example
 * ```ts
 * const baseUrl = `http://127.0.0.1:${DEFAULT_SERVE_PORT}`
 * ```
 */
export const DEFAULT_SERVE_PORT = 7355

const USAGE = `Usage: jwt-sync serve [options]

Run the reference ingestion server for an app under development: it verifies each identified
batch's JWT as the protocol says and prints one line per request. Ctrl+C stops it.

Options:
  --app ID               the app id (the SDK's appId)                         (default dev-app)
  --port N               port; 0 picks a free one                             (default ${DEFAULT_SERVE_PORT})
  --host HOST            interface to listen on                               (default 127.0.0.1)
  --key FILE             a PEM public (or private) key to trust for the app (repeatable: rotation)
  --kid KID              the kid to register --key under (default: its RFC 7638 thumbprint)
  --enforcement MODE     ${ENFORCEMENTS.join(' | ')}                           (default required)
  --skew SECONDS         allowed clock skew for exp, nbf, iat                 (default 60)
  --db FILE              keep accepted items in this SQLite file (de-duplication survives restarts)
  --max-body-bytes N     larger batches get 413                               (default 1048576)
  --quiet                do not print a line per request
  -h, --help             show this help

Keys can also be added while it runs:
  curl -X POST --data-binary @public.pem http://127.0.0.1:${DEFAULT_SERVE_PORT}/admin/apps/dev-app/keys`

const OPTIONS = {
  app: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  key: { type: 'string', multiple: true },
  kid: { type: 'string' },
  enforcement: { type: 'string' },
  skew: { type: 'string' },
  db: { type: 'string' },
  'max-body-bytes': { type: 'string' },
  quiet: { type: 'boolean' },
} as const

const requestPrinter = (io: CommandIo, quiet: boolean): Logger => {
  const print = (message: string): void => {
    if (!quiet) io.stdout(message)
  }
  return { debug: () => {}, info: print, warn: print, error: (message, fields) => io.stderr(`${message} ${JSON.stringify(fields)}`) }
}

const untilAborted = (signal: AbortSignal): Promise<void> =>
  signal.aborted ? Promise.resolve() : new Promise((resolveStop) => signal.addEventListener('abort', () => resolveStop(), { once: true }))

/**
 * `jwt-sync serve`: the reference server for an app under development, until Ctrl+C.
 *
 * @example
 * ```ts
 * await serveCommand.run(['--app', 'shop', '--key', 'keys/public.pem', '--port', '0'], io) // returns when io.stopSignal aborts
 * ```
 */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the reference ingestion server for an app under development',
  usage: USAGE,
  run: async (args, io) => {
    const parsed = parseArguments(args, OPTIONS)
    if (E.isLeft(parsed)) return usageError(io, 'serve', parsed.left)
    const { values } = parsed.right
    const appId = stringOption(values, 'app') ?? 'dev-app'
    if (appId.length === 0) return usageError(io, 'serve', '--app must not be empty')
    const port = integerOption(values, 'port', DEFAULT_SERVE_PORT, 65535)
    if (E.isLeft(port)) return usageError(io, 'serve', port.left)
    const skew = integerOption(values, 'skew', 60)
    if (E.isLeft(skew)) return usageError(io, 'serve', skew.left)
    const maxBodyBytes = integerOption(values, 'max-body-bytes', 1024 * 1024)
    if (E.isLeft(maxBodyBytes)) return usageError(io, 'serve', maxBodyBytes.left)
    if (maxBodyBytes.right === 0) return usageError(io, 'serve', '--max-body-bytes must be more than 0')
    const enforcement = stringOption(values, 'enforcement') ?? 'required'
    if (!isEnforcement(enforcement)) return usageError(io, 'serve', `--enforcement must be one of ${ENFORCEMENTS.join(', ')}, got ${JSON.stringify(enforcement)}`)
    const kid = stringOption(values, 'kid')
    const keyFiles: KeyFile[] = []
    for (const path of stringOptions(values, 'key')) {
      const file = readKeyFile(path, io.cwd)
      if (E.isLeft(file)) return usageError(io, 'serve', file.left)
      keyFiles.push(file.right)
    }
    const db = stringOption(values, 'db')

    let server: ReferenceServer
    try {
      server = await startReferenceServer({
        host: stringOption(values, 'host') ?? '127.0.0.1',
        port: port.right,
        clockSkewMs: skew.right * 1000,
        maxBodyBytes: maxBodyBytes.right,
        apps: {
          [appId]: {
            enforcement,
            publicKeys: keyFiles.map((file) => (kid === undefined ? file.publicKeyPem : { publicKeyPem: file.publicKeyPem, kid })),
          },
        },
        ...(db === undefined ? {} : { databasePath: resolve(io.cwd, db) }),
        logger: requestPrinter(io, values['quiet'] === true),
      })
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const message =
        code === 'EADDRINUSE'
          ? `port ${port.right} is in use; pick another with --port (0 for any free port)`
          : code === SQLITE_NOT_INSTALLED
            ? '--db needs better-sqlite3, an optional dependency that is not installed: npm i better-sqlite3@12'
            : error instanceof Error
              ? error.message
              : String(error)
      io.stderr(`jwt-sync serve: ${message}`)
      return EXIT.failure
    }

    io.stdout(`jwt-sync reference server listening on ${server.url}`)
    io.stdout(`  app id       ${appId}   (SDK config: baseUrl ${server.url}, appId ${JSON.stringify(appId)})`)
    io.stdout(`  batches      POST ${server.batchUrl(appId)}`)
    io.stdout(`  enforcement  ${enforcement}, clock skew ${skew.right} s, algorithms RS256 RS512`)
    io.stdout(`  storage      ${db === undefined ? 'memory' : `SQLite ${db}`}`)
    const keys = server.listKeys(appId)
    keys.forEach((key, index) => {
      io.stdout(`  trusted key  kid ${key.kid} (RSA ${key.modulusLength}) from ${keyFiles[index]?.path ?? '?'}`)
      for (const line of key.publicKeyPem.trimEnd().split('\n')) io.stdout(`               ${line}`)
    })
    if (keys.length === 0) {
      io.stdout('  trusted key  none yet: identified batches get 401 INVALID_SIGNATURE until you add one, e.g.')
      io.stdout('                 jwt-sync token --identifier alice --save-keys ./dev-keys')
      io.stdout(`                 curl -X POST --data-binary @dev-keys/public.pem ${server.url}/admin/apps/${encodeURIComponent(appId)}/keys`)
    }
    io.stdout('Ctrl+C to stop.')
    await untilAborted(io.stopSignal)
    await server.stop()
    io.stdout('stopped.')
    return EXIT.ok
  },
}
