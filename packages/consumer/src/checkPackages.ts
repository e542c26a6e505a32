/**
 * `pnpm check:packages`: builds every public package, packs it as `pnpm publish` would, and runs
 * publint and attw on each tarball (see lintTarball.ts for what counts). Exit code 1 on any finding.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lintTarball } from './lintTarball.js'
import { buildPackages, packPackages } from './packTarballs.js'
import { listPublicPackages } from './workspacePackages.js'

const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url))
const destination = mkdtempSync(join(tmpdir(), 'jwt-sync-tarballs-'))
try {
  const packages = listPublicPackages(workspaceRoot)
  console.log(`building ${packages.map((pkg) => pkg.name).join(', ')}`)
  await buildPackages(workspaceRoot, packages)
  let findings = 0
  for (const packed of await packPackages(packages, destination)) {
    const found = await lintTarball(packed)
    findings += found.length
    console.log(`${found.length === 0 ? 'ok  ' : 'FAIL'} ${packed.name}@${packed.version} (${packed.files.length} files)`)
    for (const finding of found) console.log(`     ${finding}`)
  }
  console.log(findings === 0 ? 'publint and attw: nothing to report' : `publint and attw: ${findings} finding(s)`)
  process.exitCode = findings === 0 ? 0 : 1
} finally {
  rmSync(destination, { recursive: true, force: true })
}
