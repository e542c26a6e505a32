// @ts-check
/**
 * TypeDoc plugin: names each entry-point module after its package (`@jwt-sync/core`) instead of
 * its path relative to the common directory (`core/src`), which is what the "resolve" entry-point
 * strategy would show. The "packages" strategy would name them right but builds one TypeScript
 * program per package, six times slower; the packages' own sources cannot carry `@module` tags
 * (other owners), so the name comes from the nearest package.json.
 */
import { readFileSync, existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { Converter, ReflectionKind } from 'typedoc'

/**
 * The `name` of the nearest package.json at or above `dir`, if any.
 * @param {string} dir
 * @returns {string | undefined}
 */
function packageNameAbove(dir) {
  for (let current = dir; ; current = dirname(current)) {
    const manifest = join(current, 'package.json')
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8'))
      return typeof parsed.name === 'string' ? parsed.name : undefined
    }
    if (dirname(current) === current) return undefined
  }
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return
    const fileName = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName
    if (fileName === undefined) return
    const name = packageNameAbove(dirname(fileName))
    // A subpath entry (src/statechart.ts) is named as it is imported: @jwt-sync/core/statechart.
    const entry = basename(fileName).replace(/\.ts$/, '')
    if (name !== undefined) reflection.name = entry === 'index' ? name : `${name}/${entry}`
  })
}
