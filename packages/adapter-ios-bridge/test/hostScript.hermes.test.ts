import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildBundle } from '../scripts/bundle.mjs'
import { buildHermesBundle, hermesBinary } from '../scripts/hermesBundle.mjs'
import { composeHostScript, HERMES_PRELUDE, hostParams } from './support/hostScript.js'
import { describeHostScriptRun } from './support/hostScenarioExpectations.js'
import { runInHermes } from './support/hermesEngine.js'

// The engine-agnostic protocol host in Hermes (hermes-engine-cli), on the bundle lowered as
// React Native's toolchain lowers code for Hermes (`pnpm bundle:hermes`).
const lowered = buildHermesBundle()

describeHostScriptRun('Hermes', async () => {
  const bundle = await lowered
  const run = await runInHermes(composeHostScript(HERMES_PRELUDE, bundle.text, hostParams()))
  return { run, bundle: { label: 'SWC es5', bytes: bundle.bytes, gzipBytes: bundle.gzipBytes, bytecodeBytes: bundle.bytecodeBytes } }
})

describe('the Hermes bundle', () => {
  it('is needed: Hermes refuses the unlowered ES2020 bundle (its class syntax)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwt-sync-hermes-'))
    try {
      writeFileSync(join(dir, 'modern.js'), (await buildBundle()).text)
      const stderr = await new Promise<string>((resolve) => execFile(hermesBinary(), ['-w', join(dir, 'modern.js')], (_error, _out, err) => resolve(err)))
      expect(stderr).toMatch(/invalid statement encountered|class/i)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('names no host global and keeps the one-global shape after lowering', async () => {
    const { text } = await lowered
    const host = 'window|self|global|process|console|setTimeout|clearTimeout|setImmediate|fetch|AbortController|TextEncoder|atob|btoa|crypto|queueMicrotask'
    expect(text.match(new RegExp(`typeof (${host})\\b`, 'g'))).toBeNull()
    expect(text.match(new RegExp(`globalThis\\.(${host})\\b`, 'g'))).toBeNull()
    expect(text.startsWith('var JwtSyncBridge=function(){"use strict";')).toBe(true)
  })
})
