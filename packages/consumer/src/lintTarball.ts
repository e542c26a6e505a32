import { readFile } from 'node:fs/promises'
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core'
import { problemKindInfo } from '@arethetypeswrong/core/problems'
import type { Problem, ProblemKind } from '@arethetypeswrong/core/types'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import type { PackedPackage } from './packTarballs.js'

/**
 * The one attw finding that is a decision, not a mistake. The packages are ESM only; `require()`
 * of them resolves to ESM (the `default` export condition), which Node loads since 20.19 (the
 * packages' `engines`) and TypeScript types under `module: node20`/`nodenext`. attw reports that
 * as CJSResolvesToESM in its node16-from-CJS mode. Every other problem, in every resolution mode
 * (node10, node16 from CJS, node16 from ESM, bundler), is a finding. This is attw's default
 * "strict" profile less that one rule; its `esm-only` profile would instead skip the node10 and
 * node16-CJS modes altogether, and with them the check that `typesVersions` serves node10.
 */
const ACCEPTED_ATTW_PROBLEMS: ReadonlySet<ProblemKind> = new Set(['CJSResolvesToESM'])

/**
 * Export subpaths that are files, not modules, so there is nothing for attw to type-check. The iOS
 * bridge's `./bundle` is a classic script for JavaScriptCore (an IIFE that defines the global
 * `JwtSyncBridge`); it is exported so that build scripts can locate it (`require.resolve`).
 */
const NON_MODULE_EXPORTS: Readonly<Record<string, readonly string[]>> = {
  '@jwt-sync/adapter-ios-bridge': ['./bundle'],
}

const describeProblem = (problem: Problem): string => {
  const where = 'entrypoint' in problem ? ` (${problem.entrypoint}, ${problem.resolutionKind})` : 'fileName' in problem ? ` (${problem.fileName})` : ''
  return `attw: ${problemKindInfo[problem.kind].title}${where}: ${problemKindInfo[problem.kind].shortDescription}`
}

/**
 * Runs publint (every level: errors, warnings and suggestions, with warnings as errors) and
 * @arethetypeswrong/core on a packed tarball, as a registry user would get it. Returns one line
 * per finding; empty means both tools have nothing to say.
 *
 * @example
 * ```ts
 * const findings = await lintTarball(packed)
 * if (findings.length > 0) console.error(findings.join('\n'))
 * ```
 */
export const lintTarball = async (packed: PackedPackage): Promise<readonly string[]> => {
  const bytes = await readFile(packed.tarball)
  const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const linted = await publint({ pack: { tarball }, level: 'suggestion', strict: true })
  const publintFindings = linted.messages.map((message) => `publint ${message.type}: ${formatMessage(message, linted.pkg, { color: false }) ?? message.code}`)

  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(bytes)), {
    excludeEntrypoints: [...(NON_MODULE_EXPORTS[packed.name] ?? [])],
  })
  const attwFindings =
    analysis.types === false
      ? ['attw: the package has no types']
      : analysis.problems.filter((problem) => !ACCEPTED_ATTW_PROBLEMS.has(problem.kind)).map(describeProblem)
  return [...publintFindings, ...attwFindings]
}
