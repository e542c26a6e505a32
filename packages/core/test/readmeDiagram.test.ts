import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { statechartToMermaid } from '../src/sync/statechartGraph.js'

describe('README statechart', () => {
  it('R19: the README shows the statechart as generated from the machine (run `jwt-sync diagram` to refresh it)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
    const block = /<!-- statechart:start -->\n```mermaid\n([\s\S]*?)```\n<!-- statechart:end -->/.exec(readme)
    expect(block, 'README has the statechart markers').not.toBeNull()
    expect(block?.[1]).toBe(statechartToMermaid())
  })
})

describe('README sequence diagram', () => {
  it('the README shows the JWT flow of docs/jwt-flow.md, unchanged', () => {
    const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8')
    const diagram = (text: string) => /```mermaid\n(sequenceDiagram[\s\S]*?)```/.exec(text)?.[1]
    expect(diagram(read('../../../README.md'))).toBeDefined()
    expect(diagram(read('../../../README.md'))).toBe(diagram(read('../../../docs/jwt-flow.md')))
  })
})
