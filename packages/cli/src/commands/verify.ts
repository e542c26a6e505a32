import * as E from 'fp-ts/lib/Either.js'
import {
  DEFAULT_ALGORITHMS,
  fetchServerTrust,
  isRsaAlgorithm,
  parseTrustedKey,
  readTokenShape,
  verifyToken,
  type CheckOutcome,
  type RsaAlgorithm,
  type ServerTrust,
  type TrustedKey,
} from '@jwt-sync/reference-server'
import { JWT_ERROR_CODES, fingerprintToken } from '@jwt-sync/core'
import { integerOption, parseArguments, stringOption, stringOptions } from '../arguments.js'
import { EXIT, type Command, type CommandIo, usageError } from '../command.js'
import { readKeyFile } from '../keyFiles.js'

const USAGE = `Usage: jwt-sync verify <token | -> [options]

Check a token exactly as the reference server does (the same code), print every check with its
verdict and the error code the server would answer, and exit 1 when the server would refuse it.
"-" reads the token from stdin.

Options:
  --key FILE             a PEM public (or private) key the app trusts (repeatable, for rotation);
                         without it the signature is not checked
  --kid KID              the kid the key is registered under (default: its RFC 7638 thumbprint,
                         as jwt-sync token and serve use); applies to every --key
  --identifier ID        the batch identity (identity.value); without it the subject is not compared
  --skew SECONDS         allowed clock skew for exp, nbf, iat                 (default 60)
  --alg LIST             allowed algorithms, comma-separated                  (default RS256,RS512)
  --max-token-bytes N    largest token accepted                              (default 8192)
  --at TIME              check as of this ISO 8601 time instead of now
  --server URL           judge as this running reference server would: its keys for --app (with
                         their kids), its skew, algorithms and token size limit (flags given
                         explicitly still win; --key adds keys)
  --app ID               the app whose keys --server uses                     (default dev-app)
  -h, --help             show this help

Exit codes: 0 the server would accept it (as far as checked), 1 it would refuse it, 2 bad usage.`

const OPTIONS = {
  key: { type: 'string', multiple: true },
  kid: { type: 'string' },
  identifier: { type: 'string' },
  skew: { type: 'string' },
  alg: { type: 'string' },
  'max-token-bytes': { type: 'string' },
  at: { type: 'string' },
  server: { type: 'string' },
  app: { type: 'string' },
} as const

const VERDICT_LABEL: Readonly<Record<CheckOutcome['verdict'], string>> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' }

const printChecks = (checks: readonly CheckOutcome[], io: CommandIo): void => {
  const width = Math.max(...checks.map((check) => check.check.length))
  for (const check of checks) {
    const code = check.verdict === 'fail' ? `${check.code} (${JWT_ERROR_CODES[check.code]}): ` : ''
    io.stdout(`  ${VERDICT_LABEL[check.verdict]}  ${check.check.padEnd(width)}  ${code}${check.detail}`)
  }
}

const readToken = async (argument: string, io: CommandIo): Promise<string> => (argument === '-' ? (await io.readStdin()).trim() : argument)

/**
 * `jwt-sync verify <token>`: explains why the reference server would accept or refuse a token,
 * with the very function the server uses (`verifyToken` of @jwt-sync/reference-server).
 *
 * @example
 * ```ts
 * const code = await verifyCommand.run([token, '--key', 'keys/public.pem', '--identifier', 'alice'], io) // 0 or 1
 * ```
 */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a token as the server does; print each check and the error code it would get',
  usage: USAGE,
  run: async (args, io) => {
    const parsed = parseArguments(args, OPTIONS, true)
    if (E.isLeft(parsed)) return usageError(io, 'verify', parsed.left)
    const { values, positionals } = parsed.right
    if (positionals.length !== 1 || positionals[0] === undefined) return usageError(io, 'verify', 'expected exactly one token argument (or - for stdin); see jwt-sync verify --help')
    const serverUrl = stringOption(values, 'server')
    const appId = stringOption(values, 'app') ?? 'dev-app'
    if (serverUrl === undefined && stringOption(values, 'app') !== undefined) return usageError(io, 'verify', '--app only applies with --server')
    let trust: ServerTrust | null = null
    if (serverUrl !== undefined) {
      const fetched = await fetchServerTrust(serverUrl, appId)
      if (E.isLeft(fetched)) {
        io.stderr(`jwt-sync verify: ${fetched.left}`)
        return EXIT.failure
      }
      trust = fetched.right
    }
    const skew = integerOption(values, 'skew', trust === null ? 60 : Math.round(trust.settings.clockSkewMs / 1000))
    if (E.isLeft(skew)) return usageError(io, 'verify', skew.left)
    const maxTokenBytes = integerOption(values, 'max-token-bytes', trust?.settings.maxTokenBytes ?? 8192)
    if (E.isLeft(maxTokenBytes)) return usageError(io, 'verify', maxTokenBytes.left)
    const algText = stringOption(values, 'alg')
    const algorithms = algText !== undefined ? algText.split(',').map((alg) => alg.trim()) : (trust?.settings.allowedAlgorithms ?? DEFAULT_ALGORITHMS)
    const badAlgorithm = algorithms.find((alg) => !isRsaAlgorithm(alg))
    if (badAlgorithm !== undefined) return usageError(io, 'verify', `--alg: ${JSON.stringify(badAlgorithm)} is not an RSA algorithm; none and HMAC are never allowed`)
    const atText = stringOption(values, 'at')
    const now = atText === undefined ? Date.now() : Date.parse(atText)
    if (Number.isNaN(now)) return usageError(io, 'verify', `--at: ${JSON.stringify(atText)} is not an ISO 8601 time`)
    const kid = stringOption(values, 'kid')
    const keys: TrustedKey[] = [...(trust?.keys ?? [])]
    for (const path of stringOptions(values, 'key')) {
      const file = readKeyFile(path, io.cwd)
      if (E.isLeft(file)) return usageError(io, 'verify', file.left)
      const key = parseTrustedKey(file.right.publicKeyPem, kid === undefined ? {} : { kid })
      if (E.isLeft(key)) return usageError(io, 'verify', `${path}: ${key.left}`)
      keys.push(key.right)
    }
    const identifier = stringOption(values, 'identifier') ?? null
    const token = await readToken(positionals[0], io)

    const verdict = await verifyToken(
      token,
      {
        keys,
        allowedAlgorithms: algorithms as RsaAlgorithm[],
        clockSkewMs: skew.right * 1000,
        maxTokenBytes: maxTokenBytes.right,
        now,
        identifier,
        // A server with no key for the app refuses every token; without --server, no key means "not checked".
        verifySignature: keys.length > 0 || trust !== null,
      },
      'explain',
    )
    // R18: never the token itself, even on a terminal; its fingerprint tells tokens apart.
    io.stdout(`token    ${fingerprintToken(token)} (${Buffer.byteLength(token)} bytes)`)
    const shape = readTokenShape(token)
    if (shape.ok) {
      io.stdout(`header   ${JSON.stringify(shape.shape.header)}`)
      io.stdout(`payload  ${JSON.stringify(shape.shape.payload)}`)
    }
    if (serverUrl !== undefined && trust !== null) {
      io.stdout(`server   ${serverUrl} app ${JSON.stringify(appId)}: ${trust.keys.length} key(s), enforcement ${trust.enforcement}, skew ${skew.right} s`)
    }
    for (const key of keys) io.stdout(`key      kid ${key.kid} (RSA ${key.modulusLength})`)
    io.stdout('checks (in the server\'s order)')
    printChecks(verdict.checks, io)
    if (E.isLeft(verdict.decision)) {
      const { code, numericCode, message } = verdict.decision.left
      io.stdout(`verdict  REFUSED: the server answers 401 ${code} (${numericCode}): ${message}`)
      if (trust !== null && trust.enforcement !== 'required') {
        io.stdout(`note     app ${JSON.stringify(appId)} has enforcement ${trust.enforcement}: that server accepts the batch anyway${trust.enforcement === 'optional' ? ` and reports X-Auth-Result: ${code}` : ''}`)
      }
      return EXIT.failure
    }
    const skipped = verdict.checks.filter((check) => check.verdict === 'skip').map((check) => check.check)
    io.stdout(
      skipped.length === 0
        ? `verdict  ACCEPTED: subject ${JSON.stringify(verdict.decision.right.subject)}, key ${verdict.decision.right.kid}`
        : `verdict  ACCEPTED as far as checked; not checked: ${skipped.join(', ')} (pass ${skipped.map((check) => (check === 'signature' ? '--key' : check === 'subject' ? '--identifier' : check)).join(', ')})`,
    )
    return EXIT.ok
  },
}
