import { createHash, createPublicKey, type KeyObject } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'

/**
 * The smallest RSA modulus the server trusts (`docs/wire-protocol.md`, Keys).
 *
 * @example
 * ```ts
 * generateKeyPairSync('rsa', { modulusLength: MIN_RSA_MODULUS_BITS })
 * ```
 */
export const MIN_RSA_MODULUS_BITS = 2048

/**
 * A public key an app trusts for its users' tokens.
 *
 * @example
 * ```ts
 * const keys: readonly TrustedKey[] = apps.trustedKeys('demo')
 * ```
 */
export type TrustedKey = {
  readonly kid: string
  readonly key: KeyObject
  /** PEM SPKI, normalised by re-export. */
  readonly publicKeyPem: string
  readonly modulusLength: number
  /** When it was added, epoch ms. */
  readonly addedAt: number
}

/**
 * What the key listing shows (HTTP admin API and in-process).
 *
 * @example
 * ```ts
 * server.listKeys('demo').map((key: TrustedKeyInfo) => key.kid)
 * ```
 */
export type TrustedKeyInfo = {
  readonly kid: string
  readonly type: 'RSA'
  readonly modulusLength: number
  /** When it was added, ISO 8601. */
  readonly addedAt: string
  readonly publicKeyPem: string
}

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key: the default `kid`, so the
 * CLI's `token`, `serve` and `verify` agree on a key's id without being told.
 *
 * @example
 * ```ts
 * rsaThumbprint(createPublicKey(pem)) // 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'
 * ```
 */
export const rsaThumbprint = (key: KeyObject): string => {
  const jwk = key.export({ format: 'jwk' })
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })
  return createHash('sha256').update(canonical).digest('base64url')
}

/**
 * Parses a PEM SPKI RSA public key of at least 2048 bits. `Left` with a readable reason otherwise
 * (a private key, a certificate, an EC key, a short modulus, garbage).
 *
 * @example
 * ```ts
 * parseTrustedKey(publicKeyPem, { kid: 'key-2026' }) // Right({ kid: 'key-2026', modulusLength: 2048, ... })
 * ```
 */
export const parseTrustedKey = (
  pem: string,
  options: { readonly kid?: string; readonly now?: number } = {},
): E.Either<string, TrustedKey> => {
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) return E.left('expected a PEM SPKI public key (-----BEGIN PUBLIC KEY-----)')
  let key: KeyObject
  try {
    key = createPublicKey({ key: pem, format: 'pem' })
  } catch (error) {
    return E.left(`unreadable public key: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (key.asymmetricKeyType !== 'rsa') return E.left(`expected an RSA key, got ${key.asymmetricKeyType ?? 'unknown'}`)
  const modulusLength = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (modulusLength < MIN_RSA_MODULUS_BITS) {
    return E.left(`RSA key of ${modulusLength} bits is too short (at least ${MIN_RSA_MODULUS_BITS})`)
  }
  if (options.kid !== undefined && (options.kid.length === 0 || options.kid.length > 256)) {
    return E.left('kid must be 1 to 256 characters')
  }
  return E.right({
    kid: options.kid ?? rsaThumbprint(key),
    key,
    publicKeyPem: key.export({ format: 'pem', type: 'spki' }).toString(),
    modulusLength,
    addedAt: options.now ?? Date.now(),
  })
}

/**
 * The listing form of a trusted key.
 *
 * @example
 * ```ts
 * describeTrustedKey(key).kid
 * ```
 */
export const describeTrustedKey = (key: TrustedKey): TrustedKeyInfo => ({
  kid: key.kid,
  type: 'RSA',
  modulusLength: key.modulusLength,
  addedAt: new Date(key.addedAt).toISOString(),
  publicKeyPem: key.publicKeyPem,
})
