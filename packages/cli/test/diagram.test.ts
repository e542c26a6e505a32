import { describe, expect, it } from 'vitest'
import { statechartToMermaid } from '@jwt-sync/core/statechart'
import { diagramCommand } from '../src/commands/diagram.js'
import { runCli } from '../src/index.js'
import { captureIo } from './support/captureIo.js'

describe('jwt-sync diagram', () => {
  it('prints exactly statechartToMermaid() (generated from the machine definition)', async () => {
    const { io, out, err } = captureIo()
    const code = await runCli(['diagram'], io, [diagramCommand])
    expect(code).toBe(0)
    expect(err).toEqual([])
    expect(out.join('\n')).toBe(statechartToMermaid())
    expect(out[0]).toBe('stateDiagram-v2')
  })

  it('--markdown wraps the same diagram in a mermaid fence', async () => {
    const { io, out } = captureIo()
    expect(await runCli(['diagram', '--markdown'], io, [diagramCommand])).toBe(0)
    expect(out.join('\n')).toBe(`\`\`\`mermaid\n${statechartToMermaid()}\n\`\`\``)
  })

  it('an unknown option is a usage error (exit 2) with one line on stderr', async () => {
    const { io, out, err } = captureIo()
    expect(await runCli(['diagram', '--svg'], io, [diagramCommand])).toBe(2)
    expect(out).toEqual([])
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(/^jwt-sync diagram: .*--svg/)
  })
})
