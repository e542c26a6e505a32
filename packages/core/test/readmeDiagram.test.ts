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

describe('statechart diagram layout', () => {
  it('R19: every arrow joins two states of the same box (Mermaid pulls states out of boxes otherwise)', () => {
    const boxOf = new Map<string, string>()
    const open: string[] = ['(root)']
    const arrows: [string, string][] = []
    for (const line of statechartToMermaid().split('\n').map((text) => text.trim())) {
      const cluster = /^state (\S+) \{$/.exec(line)
      const leaf = /^state "[^"]*" as (\S+)$/.exec(line)
      const arrow = /^(\S+) --> ([^\s:]+)/.exec(line)
      if (cluster?.[1] !== undefined) {
        boxOf.set(cluster[1], open.at(-1) ?? '')
        open.push(cluster[1])
      } else if (line === '}') open.pop()
      else if (leaf?.[1] !== undefined) boxOf.set(leaf[1], open.at(-1) ?? '')
      else if (arrow?.[1] !== undefined && arrow[2] !== undefined && arrow[1] !== '[*]' && arrow[2] !== '[*]') arrows.push([arrow[1], arrow[2]])
    }
    expect(arrows.length).toBeGreaterThan(40)
    expect(arrows.filter(([from, to]) => boxOf.get(from) !== boxOf.get(to))).toEqual([])
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
