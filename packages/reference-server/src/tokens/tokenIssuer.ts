import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { SignJWT, type JWTPayload } from 'jose'
import * as E from 'fp-ts/lib/Either.js'
import { MIN_RSA_MODULUS_BITS, rsaThumbprint } from '../keys/trustedKey.js'
import type { RsaAlgorithm } from '../verification/algorithms.js'

/**
 * What a token is issued for.
 *
 * @example
 * ```ts
 * await issuer.issue({ identifier: 'alice', lifetimeSeconds: 600, subjectAs: 'object', claims: { plan: 'pro' } })
 * ```
 */
export type TokenSpec = {
  readonly identifier: string
  /** Seconds from `now` to `exp` (3600). Negative gives an expired token. */
  readonly lifetimeSeconds?: number
  /** Extra claims; they may override `sub`, `exp`, `iat`, `nbf` (to build odd tokens). */
  readonly claims?: Readonly<Record<string, unknown>>
  /** `kid` header (the issuer's kid; `null` leaves it out). */
  readonly kid?: string | null
  /** `sub` as a string (default) or as `{ key: 'uid', value }`. */
  readonly subjectAs?: 'string' | 'object'
  /** Signing time in ms (Date.now()). */
  readonly now?: number
  readonly algorithm?: RsaAlgorithm
  /** `typ` header ('JWT'; `null` leaves it out). */
  readonly typ?: string | null
}

/**
 * Deliberately bad tokens, each refused by the server with the code in the comment.
 *
 * @example
 * ```ts
 * await issuer.issueBad('hs256-public-key', 'alice')
 * ```
 */
export type BadTokenKind =
  | 'expired' // TIME_CONSTRAINT_FAILURE
  | 'not-yet-valid' // TIME_CONSTRAINT_FAILURE (nbf in the future)
  | 'wrong-subject' // IDENTIFIER_MISMATCH
  | 'no-exp' // PAYLOAD_CONTENT_MISSING
  | 'no-subject' // PAYLOAD_CONTENT_MISSING
  | 'alg-none' // HEADER_TYPE_INCOMPATIBLE
  | 'hs256-public-key' // HEADER_TYPE_INCOMPATIBLE: HMAC keyed with the public key PEM (key confusion)
  | 'typ-not-jwt' // HEADER_TYPE_INCOMPATIBLE
  | 'tampered' // INVALID_SIGNATURE: payload changed after signing
  | 'foreign-key' // INVALID_SIGNATURE: signed by another key under this issuer's kid
  | 'unknown-kid' // INVALID_SIGNATURE
  | 'garbage' // DECRYPTION_FAILED

/**
 * Every bad token kind, for tests that go through all of them.
 *
 * @example
 * ```ts
 * for (const kind of BAD_TOKEN_KINDS) await issuer.issueBad(kind, 'alice')
 * ```
 */
export const BAD_TOKEN_KINDS: readonly BadTokenKind[] = [
  'expired',
  'not-yet-valid',
  'wrong-subject',
  'no-exp',
  'no-subject',
  'alg-none',
  'hs256-public-key',
  'typ-not-jwt',
  'tampered',
  'foreign-key',
  'unknown-kid',
  'garbage',
]

/**
 * An RSA key pair that signs development tokens.
 *
 * @example
 * ```ts
 * const token = await issuer.issue({ identifier: 'alice' }); server.addKey('demo', issuer.publicKeyPem)
 * ```
 */
export type TokenIssuer = {
  readonly kid: string
  readonly publicKeyPem: string
  readonly privateKeyPem: string
  readonly modulusLength: number
  /** A valid token (RS256 by default) for the identifier. */
  readonly issue: (spec: TokenSpec) => Promise<string>
  /** A token the server refuses, for the given identifier. */
  readonly issueBad: (kind: BadTokenKind, identifier: string, now?: number) => Promise<string>
}

const base64urlJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

const generatePrivateKey = (modulusLength: number): KeyObject => generateKeyPairSync('rsa', { modulusLength }).privateKey

const buildIssuer = (privateKey: KeyObject, kid: string | undefined): TokenIssuer => {
  const publicKey = createPublicKey(privateKey)
  const issuerKid = kid ?? rsaThumbprint(publicKey)
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString()
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const modulusLength = publicKey.asymmetricKeyDetails?.modulusLength ?? 0

  const sign = async (key: KeyObject, spec: TokenSpec, keyKid: string | null): Promise<string> => {
    const nowSeconds = Math.floor((spec.now ?? Date.now()) / 1000)
    const sub = spec.subjectAs === 'object' ? { key: 'uid', value: spec.identifier } : spec.identifier
    const payload: JWTPayload = { sub: sub as unknown as string, iat: nowSeconds, exp: nowSeconds + (spec.lifetimeSeconds ?? 3600), ...spec.claims }
    const typ = spec.typ === undefined ? 'JWT' : spec.typ
    const header = { alg: spec.algorithm ?? 'RS256', ...(typ === null ? {} : { typ }), ...(keyKid === null ? {} : { kid: keyKid }) }
    return new SignJWT(payload).setProtectedHeader(header).sign(key)
  }
  const kidOf = (spec: TokenSpec): string | null => (spec.kid === undefined ? issuerKid : spec.kid)
  const unsigned = (header: Record<string, unknown>, identifier: string, nowMs: number): string => {
    const nowSeconds = Math.floor(nowMs / 1000)
    return `${base64urlJson(header)}.${base64urlJson({ sub: identifier, iat: nowSeconds, exp: nowSeconds + 3600 })}`
  }

  const issue = (spec: TokenSpec): Promise<string> => sign(privateKey, spec, kidOf(spec))
  const issueBad = async (kind: BadTokenKind, identifier: string, now = Date.now()): Promise<string> => {
    switch (kind) {
      case 'expired':
        return issue({ identifier, now, lifetimeSeconds: -3600 })
      case 'not-yet-valid':
        return issue({ identifier, now, claims: { nbf: Math.floor(now / 1000) + 3600 } })
      case 'wrong-subject':
        return issue({ identifier: `${identifier}-someone-else`, now })
      case 'no-exp':
        return issue({ identifier, now, claims: { exp: undefined } })
      case 'no-subject':
        return issue({ identifier, now, claims: { sub: undefined } })
      case 'alg-none':
        return `${unsigned({ alg: 'none', typ: 'JWT' }, identifier, now)}.`
      case 'hs256-public-key': {
        // The classic key-confusion attack: HMAC keyed with the public key text the server holds.
        const input = unsigned({ alg: 'HS256', typ: 'JWT', kid: issuerKid }, identifier, now)
        return `${input}.${createHmac('sha256', publicKeyPem).update(input).digest('base64url')}`
      }
      case 'typ-not-jwt':
        return issue({ identifier, now, typ: 'JWE' })
      case 'tampered': {
        const [header = '', , signature = ''] = (await issue({ identifier, now })).split('.')
        const nowSeconds = Math.floor(now / 1000)
        return `${header}.${base64urlJson({ sub: identifier, iat: nowSeconds, exp: nowSeconds + 365 * 86400 })}.${signature}`
      }
      case 'foreign-key':
        return sign(generatePrivateKey(MIN_RSA_MODULUS_BITS), { identifier, now }, issuerKid)
      case 'unknown-kid':
        return issue({ identifier, now, kid: `${issuerKid}-retired` })
      case 'garbage':
        return 'this-is-not.a-jwt'
    }
  }
  return { kid: issuerKid, publicKeyPem, privateKeyPem, modulusLength, issue, issueBad }
}

/**
 * Options of `createTokenIssuer`.
 *
 * @example
 * ```ts
 * createTokenIssuer({ privateKeyPem: readFileSync('private.pem', 'utf8'), kid: 'k-2026' })
 * ```
 */
export type TokenIssuerOptions = {
  /** PEM (PKCS#8 or PKCS#1) RSA private key; a new 2048-bit pair is generated when absent. */
  readonly privateKeyPem?: string
  /** `kid` of issued tokens (the RFC 7638 thumbprint of the public key). */
  readonly kid?: string
  /** Size of a generated key (2048). */
  readonly modulusLength?: number
}

/**
 * A token-issuing helper for tests, the demo and `jwt-sync token`: what an app's own server does
 * when it signs its users' tokens. `Left` when the given private key is unusable.
 *
 * @example
 * ```ts
 * const issuer = createTokenIssuer()
 * if (E.isRight(issuer)) {
 *   const token = await issuer.right.issue({ identifier: 'alice', lifetimeSeconds: 600 })
 *   const attack = await issuer.right.issueBad('hs256-public-key', 'alice')
 * }
 * ```
 */
export const createTokenIssuer = (options: TokenIssuerOptions = {}): E.Either<string, TokenIssuer> => {
  let privateKey: KeyObject
  if (options.privateKeyPem === undefined) {
    const modulusLength = options.modulusLength ?? MIN_RSA_MODULUS_BITS
    if (!Number.isInteger(modulusLength) || modulusLength < MIN_RSA_MODULUS_BITS) return E.left(`modulusLength must be an integer of at least ${MIN_RSA_MODULUS_BITS}`)
    privateKey = generatePrivateKey(modulusLength)
  } else {
    try {
      privateKey = createPrivateKey({ key: options.privateKeyPem, format: 'pem' })
    } catch (error) {
      return E.left(`unreadable private key: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (privateKey.asymmetricKeyType !== 'rsa') return E.left(`expected an RSA private key, got ${privateKey.asymmetricKeyType ?? 'unknown'}`)
    const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0
    if (bits < MIN_RSA_MODULUS_BITS) return E.left(`RSA key of ${bits} bits is too short (at least ${MIN_RSA_MODULUS_BITS})`)
  }
  if (options.kid !== undefined && options.kid.length === 0) return E.left('kid must not be empty')
  return E.right(buildIssuer(privateKey, options.kid))
}
