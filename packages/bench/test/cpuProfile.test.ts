import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { readCpuProfile, summarizeProfile, type CpuProfile } from '../src/cpuProfile.js'

// A driver bundle as esbuild writes it: a comment with the module's path before its code.
const bundle = [
  'import { createRequire } from "node:module";', // 0: preamble
  '// ../../node_modules/.pnpm/xstate@5.30.0/node_modules/xstate/dist/raise-1.cjs.js', // 1
  'function microstep() {}', // 2
  '// ../core/src/wire/buildRequest.ts', // 3
  'var wireItemsJson = () => {};', // 4
  '// src/drivers/rawFetch.ts', // 5
  'var flush = () => {};', // 6
].join('\n')
const bundleFile = '/repo/packages/bench/.build/drivers/jwtSyncMemory.mjs'
const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber })

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '', -1) },
    { id: 2, callFrame: frame('microstep', `file://${bundleFile}`, 2) },
    { id: 3, callFrame: frame('wireItemsJson', `file://${bundleFile}`, 4) },
    { id: 4, callFrame: frame('flush', `file://${bundleFile}`, 6) },
    { id: 5, callFrame: frame('fetch', 'node:internal/deps/undici/undici', 10) },
    { id: 6, callFrame: frame('(garbage collector)', '', -1) },
    { id: 7, callFrame: frame('preamble', `file://${bundleFile}`, 0) },
  ],
  // Sample i lands on node samples[i] and lasted timeDeltas[i] microseconds.
  samples: [2, 2, 3, 4, 5, 6, 7, 2],
  timeDeltas: [1000, 2000, 1500, 500, 1000, 1000, 500, 2500],
}

describe('bench: CPU profile summary (what the README\'s limits of the missed targets come from)', () => {
  it('groups self time by the bundled module each function came from, largest first', () => {
    const groups = summarizeProfile(profile, bundleFile, bundle)
    expect(groups.map((group) => [group.group, group.ms])).toEqual([
      ['xstate', 5.5],
      ['packages/core/src/wire/buildRequest.ts', 1.5],
      ['node: undici (fetch)', 1],
      ['(garbage collector)', 1],
      ['packages/bench/src/drivers/rawFetch.ts', 0.5],
      ['(bundle preamble)', 0.5],
    ])
    expect(groups.reduce((sum, group) => sum + group.share, 0)).toBeCloseTo(1, 10)
    expect(groups[0]?.share).toBeCloseTo(5.5 / 10, 10)
  })

  it('refuses a file that is not a V8 CPU profile, naming the file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'jwt-sync-profile-'))
    try {
      writeFileSync(join(directory, 'bad.cpuprofile'), JSON.stringify({ nodes: [] }))
      writeFileSync(join(directory, 'good.cpuprofile'), JSON.stringify(profile))
      const bad = readCpuProfile(join(directory, 'bad.cpuprofile'))
      expect(E.isLeft(bad) && bad.left).toMatch(/bad\.cpuprofile: not a V8 CPU profile/)
      const good = readCpuProfile(join(directory, 'good.cpuprofile'))
      expect(E.isRight(good) && good.right.samples).toEqual(profile.samples)
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })
})
