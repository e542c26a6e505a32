// Lowers a script for Hermes the way React Native's toolchain does before Hermes sees it: classes,
// async functions, generators and newer syntax become ES5 (SWC, target es5, helpers inlined), and
// the result is minified. Hermes (the release `hermes-engine-cli` ships) rejects `class` syntax,
// so an unlowered bundle does not even load there.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { transform } from '@swc/core'
import { buildBundle } from './bundle.mjs'

const require = createRequire(import.meta.url)

/**
 * Lowers `source`, a script that defines the global `globalName` with one top-level `var`, to
 * ES5 for Hermes. SWC puts its helpers at the top level of a script, where they would become
 * globals; wrapping the lowered text in a function keeps them local, so the script still adds
 * exactly one global. The strict directive moves into that function: the script's top level is
 * then not strict, so it defines its global also when a host concatenates it with other scripts
 * or evaluates it with an indirect eval.
 */
export const lowerForHermes = async (source, globalName) => {
  const { code } = await transform(source, {
    isModule: false,
    jsc: { target: 'es5', parser: { syntax: 'ecmascript' }, externalHelpers: false, minify: { compress: true, mangle: true } },
    minify: true,
  })
  const body = code.replace(/^"use strict";/, '')
  return `var ${globalName}=function(){"use strict";${body}\nreturn ${globalName}}();\n`
}

/** The `hermes` binary of the `hermes-engine-cli` package (linux64 on this project's machines). */
export const hermesBinary = () => {
  const root = dirname(require.resolve('hermes-engine-cli/package.json'))
  const platform = process.platform === 'darwin' ? 'osx-bin' : process.platform === 'win32' ? 'win64-bin' : 'linux64-bin'
  const binary = join(root, platform, process.platform === 'win32' ? 'hermes.exe' : 'hermes')
  if (!existsSync(binary)) throw new Error(`hermes-engine-cli has no hermes binary at ${binary}`)
  return binary
}

/** The `hermesc` compiler next to `hermes`. */
export const hermesCompiler = () => join(dirname(hermesBinary()), process.platform === 'win32' ? 'hermesc.exe' : 'hermesc')

/** The version line `hermes -version` prints ("0.12.0"). */
export const hermesVersion = () => {
  const printed = execFileSync(hermesBinary(), ['-version'], { encoding: 'utf8' })
  return /Hermes release version: (\S+)/.exec(printed)?.[1] ?? 'unknown'
}

/** Size in bytes of `source` compiled to Hermes bytecode (`hermesc -O -emit-binary`), as a React Native release ships it. */
export const hermesBytecodeBytes = (source) => {
  const dir = mkdtempSync(join(tmpdir(), 'jwt-sync-hbc-'))
  try {
    writeFileSync(join(dir, 'in.js'), source)
    execFileSync(hermesCompiler(), ['-O', '-w', '-emit-binary', '-out', join(dir, 'out.hbc'), join(dir, 'in.js')])
    return statSync(join(dir, 'out.hbc')).size
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Builds the bridge bundle lowered for Hermes; returns its text and sizes (minified, gzipped, bytecode). */
export const buildHermesBundle = async (outfile) => {
  const { text: modern } = await buildBundle()
  const text = await lowerForHermes(modern, 'JwtSyncBridge')
  if (outfile !== undefined) writeFileSync(outfile, text)
  return { text, bytes: Buffer.byteLength(text), gzipBytes: gzipSync(text, { level: 9 }).length, bytecodeBytes: hermesBytecodeBytes(text) }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outfile = fileURLToPath(new URL('../dist/jwt-sync-bridge.hermes.js', import.meta.url))
  mkdirSync(dirname(outfile), { recursive: true })
  const { bytes, gzipBytes, bytecodeBytes } = await buildHermesBundle(outfile)
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`
  console.log(`jwt-sync-bridge.hermes.js: ${kb(bytes)} minified, ${kb(gzipBytes)} gzipped, ${kb(bytecodeBytes)} Hermes bytecode (hermes ${hermesVersion()})`)
}
