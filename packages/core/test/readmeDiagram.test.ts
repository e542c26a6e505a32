import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { statechartToMermaid } from '@jwt-sync/core'

describe('README statechart', () => {
  it('R19: the README shows the statechart as generated from the machine (run `jwt-sync diagram` to refresh it)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
    const block = /<!-- statechart:start -->\n```mermaid\n([\s\S]*?)```\n<!-- statechart:end -->/.exec(readme)
    expect(block, 'README has the statechart markers').not.toBeNull()
    expect(block?.[1]).toBe(statechartToMermaid())
  })
})
