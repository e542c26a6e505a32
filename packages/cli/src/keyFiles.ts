import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'

/**
 * A key read from a PEM file: always the public half, the private half when the file had it.
 *
 * @example
 * ```ts
 * const file: KeyFile = { path: 'public.pem', publicKeyPem, privateKeyPem: null }
 * ```
 */
export type KeyFile = { readonly path: string; readonly publicKeyPem: string; readonly privateKeyPem: string | null }

/**
 * Reads a PEM key file: a public key (SPKI) or a private key (its public half is derived), so
 * `serve --key` and `verify --key` take either file `jwt-sync token --save-keys` wrote.
 *
 * @example
 * ```ts
 * readKeyFile('keys/private.pem', process.cwd()) // Right({ publicKeyPem: '-----BEGIN PUBLIC KEY-----...', privateKeyPem: '...' })
 * ```
 */
export const readKeyFile = (path: string, cwd: string): E.Either<string, KeyFile> => {
  const absolute = resolve(cwd, path)
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (error) {
    return E.left(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  try {
    if (/-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
      const privateKey = createPrivateKey({ key: text, format: 'pem' })
      return E.right({ path, publicKeyPem: createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString(), privateKeyPem: text })
    }
    if (/-----BEGIN PUBLIC KEY-----/.test(text)) return E.right({ path, publicKeyPem: text, privateKeyPem: null })
  } catch (error) {
    return E.left(`${path} is not a usable key: ${error instanceof Error ? error.message : String(error)}`)
  }
  return E.left(`${path} is not a PEM key (expected -----BEGIN PUBLIC KEY----- or -----BEGIN PRIVATE KEY-----)`)
}
