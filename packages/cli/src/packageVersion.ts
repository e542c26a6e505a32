import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

const CLI_PACKAGE_NAME = '@jwt-sync/cli'

const ManifestCodec = t.type({ name: t.string, version: t.string })

// src/ and dist/ both sit one level below the package root, so one relative path serves the
// sources (tests) and the build (the installed `jwt-sync`).
const OWN_MANIFEST = new URL('../package.json', import.meta.url)

/**
 * The version of `@jwt-sync/cli`, read from its package.json at run time (so it cannot drift from
 * what npm installed). `Left` says why it could not be read, e.g. when the module was bundled away
 * from its package.
 *
 * @example
 * ```ts
 * readPackageVersion() // Right('0.1.0')
 * ```
 */
export const readPackageVersion = (manifest: URL = OWN_MANIFEST): E.Either<string, string> => {
  const path = fileURLToPath(manifest)
  let json: unknown
  try {
    json = JSON.parse(readFileSync(manifest, 'utf8'))
  } catch (error) {
    return E.left(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))}`)
  }
  const decoded = ManifestCodec.decode(json)
  if (E.isLeft(decoded)) return E.left(`${path} has no name and version`)
  if (decoded.right.name !== CLI_PACKAGE_NAME) return E.left(`${path} belongs to ${decoded.right.name}, not ${CLI_PACKAGE_NAME}`)
  return E.right(decoded.right.version)
}
