// The README's integration example must compile against the real packages: a newcomer copies it.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')

/** The first ```ts block after the "Integrate it" heading. */
const example = (): string => {
  const section = readme.slice(readme.indexOf('## Integrate it'))
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  if (block === undefined) throw new Error('README has no ts block under "## Integrate it"')
  return block
}

describe('README integration example', () => {
  it('compiles against the published entry points (strict TypeScript)', () => {
    // The token the app's server issued: the one name the example leaves to the reader.
    const source = `declare const jwtFromMyServer: string\n${example()}\nexport {}\n`
    const fileName = fileURLToPath(new URL('../readme-example.ts', import.meta.url))
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      customConditions: ['source'],
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
    }
    const host = ts.createCompilerHost(options)
    const readFile = host.readFile.bind(host)
    const getSourceFile = host.getSourceFile.bind(host)
    host.fileExists = (name) => name === fileName || ts.sys.fileExists(name)
    host.readFile = (name) => (name === fileName ? source : readFile(name))
    host.getSourceFile = (name, language) =>
      name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language)
    const program = ts.createProgram([fileName], options, host)
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file?.fileName === fileName)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
    expect(problems).toEqual([])
    expect(source).toContain('createSdk(')
  }, 60_000)
})
