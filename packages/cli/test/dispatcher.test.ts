import { describe, expect, it } from 'vitest'
import { EXIT, runCli, serveCommand, tokenCommand, verifyCommand, type Command } from '../src/index.js'
import { captureIo } from './support/captureIo.js'

const commands = [serveCommand, tokenCommand, verifyCommand]

describe('jwt-sync dispatcher', () => {
  it('--help lists every command and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const { io, out } = captureIo()
      expect(await runCli([flag], io, commands)).toBe(EXIT.ok)
      expect(out.join('\n')).toMatch(/serve .*\n.*token .*\n.*verify /)
    }
  })

  it('every command answers --help with its usage', async () => {
    for (const command of commands) {
      const { io, out } = captureIo()
      expect(await runCli([command.name, '--help'], io, commands)).toBe(EXIT.ok)
      expect(out[0]).toContain(`Usage: jwt-sync ${command.name}`)
      const viaHelp = captureIo()
      expect(await runCli(['help', command.name], viaHelp.io, commands)).toBe(EXIT.ok)
      expect(viaHelp.out).toEqual(out)
    }
  })

  it('an unknown command or no command: one line on stderr, exit 2', async () => {
    const unknown = captureIo()
    expect(await runCli(['frobnicate'], unknown.io, commands)).toBe(EXIT.usage)
    expect(unknown.err).toHaveLength(1)
    expect(unknown.err[0]).toContain('unknown command "frobnicate"')
    const none = captureIo()
    expect(await runCli([], none.io, commands)).toBe(EXIT.usage)
    expect(none.err.join('\n')).toContain('Usage: jwt-sync <command>')
  })

  it('a command that throws unexpectedly becomes a one-line error with exit 1', async () => {
    const exploding: Command = {
      name: 'explode',
      summary: 'throws',
      usage: 'Usage: jwt-sync explode',
      run: async () => {
        throw new Error('boom\nwith a stack')
      },
    }
    const { io, err } = captureIo()
    expect(await runCli(['explode'], io, [...commands, exploding])).toBe(EXIT.failure)
    expect(err).toEqual(['jwt-sync explode: boom'])
  })

  it('unknown options are usage errors naming the option', async () => {
    for (const command of commands) {
      const { io, err } = captureIo()
      expect(await runCli([command.name, '--no-such-option'], io, commands)).toBe(EXIT.usage)
      expect(err).toHaveLength(1)
      expect(err[0]).toContain('--no-such-option')
    }
  })
})
