import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { EXIT, readPackageVersion, runCli, serveCommand } from '../src/index.js'
import { captureIo } from './support/captureIo.js'

// Read independently of the code under test.
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

describe('jwt-sync --version', () => {
  it('--version and -v print the version of the package, alone on stdout, exit 0', async () => {
    for (const flag of ['--version', '-v']) {
      const { io, out, err } = captureIo()
      expect(await runCli([flag], io, [serveCommand])).toBe(EXIT.ok)
      expect(out).toEqual([manifest.version])
      expect(err).toEqual([])
    }
  })

  it('an unreadable package.json: one line on stderr naming the file, exit 1', async () => {
    const { io, out, err } = captureIo()
    const missing = new URL('./no-such-dir/package.json', import.meta.url)
    expect(await runCli(['--version'], io, [serveCommand], () => readPackageVersion(missing))).toBe(EXIT.failure)
    expect(out).toEqual([])
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(/^jwt-sync: version unknown: cannot read .*no-such-dir\/package\.json: ENOENT$/)
  })

  it("refuses another package's manifest (a bundle run away from its package finds a stranger's)", () => {
    const read = readPackageVersion(new URL('../../core/package.json', import.meta.url))
    expect(E.isLeft(read) && read.left).toMatch(/belongs to @jwt-sync\/core, not @jwt-sync\/cli$/)
  })

  it('--help mentions --version', async () => {
    const { io, out } = captureIo()
    expect(await runCli(['--help'], io, [serveCommand])).toBe(EXIT.ok)
    expect(out).toContain('  -v, --version  print the version of jwt-sync')
  })
})
