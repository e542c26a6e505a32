import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Application, ConsoleLogger, LogLevel, TSConfigReader, TypeDocReader } from 'typedoc'
import { afterAll, describe, expect, it } from 'vitest'
import { brokenHtmlLinks } from './support/linkCheck.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const configPath = join(packageDir, 'typedoc.jsonc')
const outRoot = mkdtempSync(join(tmpdir(), 'jwt-sync-typedoc-'))

afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

/** Keeps every warning and error TypeDoc reports, with the file:line context it adds. */
class CollectingLogger extends ConsoleLogger {
  readonly messages: string[] = []
  override log(message: string, level: Exclude<LogLevel, LogLevel.None>): void {
    if (level >= LogLevel.Warn) this.messages.push(message)
  }
}

interface TypedocRun {
  readonly problems: readonly string[]
  readonly outDir: string
}

/**
 * Runs TypeDoc as the `typedoc` CLI would (options from `optionsFile`, then convert, validate,
 * render into a temp dir) and returns every warning and error it reported.
 */
async function runTypedoc(optionsFile: string, outName: string): Promise<TypedocRun> {
  const outDir = join(outRoot, outName)
  const app = await Application.bootstrapWithPlugins({ options: optionsFile, out: outDir }, [
    new TypeDocReader(),
    new TSConfigReader(),
  ])
  const optionProblems = app.logger.errorCount + app.logger.warningCount
  const logger = new CollectingLogger()
  app.logger = logger
  const project = await app.convert()
  if (project !== undefined) {
    app.validate(project)
    await app.generateDocs(project, outDir)
  }
  const problems = [...logger.messages]
  if (optionProblems > 0) problems.push(`${optionProblems} problem(s) while reading the options`)
  if (project === undefined) problems.push('conversion produced no project')
  return { problems, outDir }
}

describe('API reference (TypeDoc)', () => {
  it('builds the six public packages (eight entry points) with no warning or error, every export documented', async () => {
    const { problems, outDir } = await runTypedoc(configPath, 'api')
    expect(problems).toEqual([])
    expect(readdirSync(join(outDir, 'modules')).sort()).toEqual([
      '_jwt-sync_adapter-fetch.html',
      '_jwt-sync_adapter-ios-bridge.html',
      '_jwt-sync_adapter-storage.html',
      '_jwt-sync_cli.html',
      '_jwt-sync_core.html',
      '_jwt-sync_core_either.html',
      '_jwt-sync_core_statechart.html',
      '_jwt-sync_reference-server.html',
    ])
    // Warnings do not cover links: TypeDoc once turned every file name a comment mentioned into a
    // link to http://<name>.md without a word. Every link of the output must lead somewhere real.
    expect(brokenHtmlLinks(outDir)).toEqual([])
    // The front page lists the packages as links to their pages, under their package names.
    const front = readFileSync(join(outDir, 'index.html'), 'utf8')
    for (const name of ['core', 'adapter-fetch', 'adapter-storage', 'adapter-ios-bridge', 'reference-server', 'cli']) {
      expect(front, name).toMatch(new RegExp(`<a href="modules/_jwt-sync_${name}\\.html"[^>]*>@jwt-sync/${name}</a>`))
    }
  })

  it('the same configuration reports an undocumented export and a broken {@link}', async () => {
    const fixtureDir = mkdtempSync(join(outRoot, 'fixture-'))
    writeFileSync(
      join(fixtureDir, 'index.ts'),
      [
        '/** Documented, but links to {@link Missing}. */',
        'export const linked = 1',
        'export function undocumented(): number { return 2 }',
        '',
      ].join('\n'),
    )
    writeFileSync(join(fixtureDir, 'package.json'), JSON.stringify({ name: 'docs-fixture', type: 'module' }))
    writeFileSync(
      join(fixtureDir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', noEmit: true }, files: ['index.ts'] }),
    )
    // The fixture's own config extends the real one, so it runs under the same validation rules.
    writeFileSync(
      join(fixtureDir, 'typedoc.json'),
      JSON.stringify({
        extends: [configPath],
        entryPoints: ['./index.ts'],
        tsconfig: './tsconfig.json',
        packagesRequiringDocumentation: ['docs-fixture'],
        intentionallyNotDocumented: [],
        // The real front page links the six packages, which the fixture does not have.
        readme: 'none',
      }),
    )
    const { problems } = await runTypedoc(join(fixtureDir, 'typedoc.json'), 'fixture-out')
    expect(problems).toEqual([
      '[warning] undocumented (CallSignature), defined in docs-fixture/index.ts, does not have any documentation',
      '[warning] Failed to resolve link to "Missing" in comment for linked',
    ])
  })

  it('file names in comments stay text; without plugins/noFuzzyLinks.mjs the link check reports them', async () => {
    const fixtureDir = mkdtempSync(join(outRoot, 'names-'))
    writeFileSync(join(fixtureDir, 'index.ts'), ['/** Follows the rules in docs/rules.md; see README.md. */', 'export const documented = 1', ''].join('\n'))
    writeFileSync(join(fixtureDir, 'package.json'), JSON.stringify({ name: 'docs-fixture', type: 'module' }))
    writeFileSync(
      join(fixtureDir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', noEmit: true }, files: ['index.ts'] }),
    )
    const config = (name: string, plugins: readonly string[] | null): string => {
      const path = join(fixtureDir, name)
      writeFileSync(
        path,
        JSON.stringify({
          extends: [configPath],
          entryPoints: ['./index.ts'],
          tsconfig: './tsconfig.json',
          packagesRequiringDocumentation: ['docs-fixture'],
          intentionallyNotDocumented: [],
          readme: 'none',
          ...(plugins === null ? {} : { plugin: plugins }),
        }),
      )
      return path
    }
    const withPlugins = await runTypedoc(config('typedoc.json', null), 'names-out')
    expect(withPlugins.problems).toEqual([])
    expect(brokenHtmlLinks(withPlugins.outDir)).toEqual([])
    const withoutNoFuzzy = await runTypedoc(config('typedoc.fuzzy.json', [join(packageDir, 'plugins/packageModuleNames.mjs')]), 'fuzzy-out')
    expect(withoutNoFuzzy.problems).toEqual([])
    expect(brokenHtmlLinks(withoutNoFuzzy.outDir)).toEqual(expect.arrayContaining([expect.stringContaining('http://README.md (a web link to a file name)')]))
  })
})
