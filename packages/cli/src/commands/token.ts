import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { BAD_TOKEN_KINDS, createTokenIssuer, isRsaAlgorithm, type BadTokenKind, type TokenIssuer } from '@jwt-sync/reference-server'
import { parseArguments, stringOption, stringOptions } from '../arguments.js'
import { EXIT, type Command, type CommandIo, usageError } from '../command.js'
import { formatSeconds, parseDurationSeconds } from '../duration.js'
import { readKeyFile } from '../keyFiles.js'

const USAGE = `Usage: jwt-sync token --identifier ID [options]

Issue a development JWT for a user identifier, signed with an RSA key: what the app's own server
does for its users. The token goes to stdout alone (so $(jwt-sync token ...) works); the details
(kid, expiry, public key) go to stderr.

Options:
  --identifier ID        the user identifier (the token's subject)            (required)
  --lifetime DURATION    time until exp: 3600, 90s, 15m, 2h, 7d               (default 1h)
  --private-key FILE     sign with this PEM RSA private key (PKCS#8 or PKCS#1)
  --save-keys DIR        without --private-key: write the generated pair to DIR/private.pem
                         and DIR/public.pem (refuses to overwrite)
  --kid KID              kid header (default: the key's RFC 7638 thumbprint, as serve and verify use)
  --alg ALG              RS256 (default) or another RSA algorithm: RS384, RS512, PS256, PS384, PS512
  --sub-object           put the subject as {"key":"uid","value":ID} instead of a string
  --claim NAME=VALUE     an extra claim; VALUE is parsed as JSON when it can be (repeatable)
  --bad KIND             issue a token the server refuses, for demos and tests:
                         ${BAD_TOKEN_KINDS.join(', ')}
  -h, --help             show this help

Without --private-key a new 2048-bit key pair is generated; trust its public key with
  jwt-sync serve --key DIR/public.pem      or      POST it to /admin/apps/{appId}/keys`

const OPTIONS = {
  identifier: { type: 'string' },
  lifetime: { type: 'string' },
  'private-key': { type: 'string' },
  'save-keys': { type: 'string' },
  kid: { type: 'string' },
  alg: { type: 'string' },
  'sub-object': { type: 'boolean' },
  claim: { type: 'string', multiple: true },
  bad: { type: 'string' },
} as const

const parseClaims = (pairs: readonly string[]): E.Either<string, Record<string, unknown>> => {
  const claims: Record<string, unknown> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) return E.left(`--claim expects NAME=VALUE, got ${JSON.stringify(pair)}`)
    const raw = pair.slice(at + 1)
    let value: unknown = raw
    try {
      value = JSON.parse(raw)
    } catch {
      value = raw
    }
    claims[pair.slice(0, at)] = value
  }
  return E.right(claims)
}

const isBadTokenKind = (value: string): value is BadTokenKind => (BAD_TOKEN_KINDS as readonly string[]).includes(value)

const saveKeys = (issuer: TokenIssuer, directory: string, io: CommandIo): E.Either<string, void> => {
  const absolute = resolve(io.cwd, directory)
  const privatePath = join(absolute, 'private.pem')
  const publicPath = join(absolute, 'public.pem')
  if (existsSync(privatePath) || existsSync(publicPath)) {
    return E.left(`${join(directory, 'private.pem')} or public.pem already exists; sign with --private-key ${join(directory, 'private.pem')} instead`)
  }
  try {
    mkdirSync(absolute, { recursive: true })
    writeFileSync(privatePath, issuer.privateKeyPem, { mode: 0o600 })
    writeFileSync(publicPath, issuer.publicKeyPem, { mode: 0o644 })
  } catch (error) {
    return E.left(`cannot write keys to ${directory}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  io.stderr(`saved ${join(directory, 'private.pem')} and ${join(directory, 'public.pem')}`)
  return E.right(undefined)
}

/**
 * `jwt-sync token`: issue a development token for an identifier, with a generated key pair or one
 * from a file.
 *
 * @example
 * ```ts
 * await tokenCommand.run(['--identifier', 'alice', '--lifetime', '15m', '--save-keys', 'keys'], io)
 * ```
 */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'issue a development JWT for an identifier (generates a key pair or uses one from a file)',
  usage: USAGE,
  run: async (args, io) => {
    const parsed = parseArguments(args, OPTIONS)
    if (E.isLeft(parsed)) return usageError(io, 'token', parsed.left)
    const { values } = parsed.right
    const identifier = stringOption(values, 'identifier')
    if (identifier === undefined || identifier.length === 0) return usageError(io, 'token', '--identifier is required (see jwt-sync token --help)')
    const lifetime = parseDurationSeconds(stringOption(values, 'lifetime') ?? '1h')
    if (E.isLeft(lifetime)) return usageError(io, 'token', `--lifetime: ${lifetime.left}`)
    const algorithm = stringOption(values, 'alg') ?? 'RS256'
    if (!isRsaAlgorithm(algorithm)) return usageError(io, 'token', `--alg must be an RSA algorithm (RS256, RS384, RS512, PS256, PS384, PS512), got ${JSON.stringify(algorithm)}`)
    const claims = parseClaims(stringOptions(values, 'claim'))
    if (E.isLeft(claims)) return usageError(io, 'token', claims.left)
    const bad = stringOption(values, 'bad')
    if (bad !== undefined && !isBadTokenKind(bad)) return usageError(io, 'token', `--bad must be one of ${BAD_TOKEN_KINDS.join(', ')}`)
    const privateKeyPath = stringOption(values, 'private-key')
    const saveDirectory = stringOption(values, 'save-keys')
    if (privateKeyPath !== undefined && saveDirectory !== undefined) return usageError(io, 'token', '--save-keys only applies to a generated key; drop it or --private-key')
    const kid = stringOption(values, 'kid')

    let privateKeyPem: string | undefined
    if (privateKeyPath !== undefined) {
      const file = readKeyFile(privateKeyPath, io.cwd)
      if (E.isLeft(file)) return usageError(io, 'token', file.left)
      if (file.right.privateKeyPem === null) return usageError(io, 'token', `${privateKeyPath} holds a public key; --private-key needs the private one`)
      privateKeyPem = file.right.privateKeyPem
    }
    const created = createTokenIssuer({ ...(privateKeyPem === undefined ? {} : { privateKeyPem }), ...(kid === undefined ? {} : { kid }) })
    if (E.isLeft(created)) {
      io.stderr(`jwt-sync token: ${created.left}`)
      return EXIT.failure
    }
    const issuer = created.right
    if (saveDirectory !== undefined) {
      const saved = saveKeys(issuer, saveDirectory, io)
      if (E.isLeft(saved)) {
        io.stderr(`jwt-sync token: ${saved.left}`)
        return EXIT.failure
      }
    }
    const now = Date.now()
    const token =
      bad !== undefined
        ? await issuer.issueBad(bad, identifier, now)
        : await issuer.issue({
            identifier,
            lifetimeSeconds: lifetime.right,
            claims: claims.right,
            algorithm,
            now,
            subjectAs: values['sub-object'] === true ? 'object' : 'string',
          })
    io.stdout(token)
    io.stderr(
      bad !== undefined
        ? `deliberately bad token (${bad}) for ${JSON.stringify(identifier)}, kid ${issuer.kid}`
        : `token for ${JSON.stringify(identifier)}, ${algorithm}, kid ${issuer.kid}, expires ${new Date(now + lifetime.right * 1000).toISOString()} (in ${formatSeconds(lifetime.right)})`,
    )
    if (privateKeyPath === undefined && saveDirectory === undefined) {
      io.stderr('signed with a new key pair that was not saved (use --save-keys DIR to keep it); its public key:')
      io.stderr(issuer.publicKeyPem.trimEnd())
    }
    return EXIT.ok
  },
}
