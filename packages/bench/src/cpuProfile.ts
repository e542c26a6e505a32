import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

/**
 * Where a driver's CPU went, from the `.cpuprofile` V8 writes under `node --cpu-prof`: self time
 * grouped by the source module each sampled function came from. The drivers are esbuild bundles
 * that keep a `// path/to/module.ts` comment before each module's code, so a function's line in
 * the bundle names its module; Node's own code, the garbage collector and idle time are groups of
 * their own. This is what the README's "what limits the missed targets" figures come from.
 */

const CallFrameCodec = t.type({ functionName: t.string, url: t.string, lineNumber: t.number })
const CpuProfileCodec = t.type({
  nodes: t.array(t.type({ id: t.number, callFrame: CallFrameCodec })),
  samples: t.array(t.number),
  timeDeltas: t.array(t.number),
})

/** A V8 CPU profile, as far as this summary reads it. */
export type CpuProfile = t.TypeOf<typeof CpuProfileCodec>

/**
 * One group of the summary: self time in milliseconds and its share of the sampled time.
 *
 * @example
 * ```ts
 * const line: ProfileGroup = { group: 'xstate', ms: 407.1, share: 0.092 }
 * ```
 */
export type ProfileGroup = { readonly group: string; readonly ms: number; readonly share: number }

/**
 * Reads a `.cpuprofile` file; `Left` naming what is wrong with it.
 *
 * @example
 * ```ts
 * const profile = readCpuProfile('profiles/jwt-sync-memory-r1/CPU.123.cpuprofile')
 * ```
 */
export const readCpuProfile = (file: string): E.Either<string, CpuProfile> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    return E.left(`${file}: not JSON (${String(error)})`)
  }
  return E.isRight(CpuProfileCodec.decode(parsed)) ? E.right(parsed as CpuProfile) : E.left(`${file}: not a V8 CPU profile (nodes, samples, timeDeltas)`)
}

/** Line numbers (0-based) where a bundled module starts, with the module's path as esbuild wrote it. */
const moduleStarts = (bundleSource: string): Array<{ readonly line: number; readonly path: string }> => {
  const starts: Array<{ line: number; path: string }> = []
  bundleSource.split('\n').forEach((text, line) => {
    const match = /^\/\/ (\S+\.(?:[cm]?js|ts))$/.exec(text)
    if (match?.[1] !== undefined) starts.push({ line, path: match[1] })
  })
  return starts
}

/** A module path from the bundle, named the way a reader looks for it: a package, or a file of ours. */
const groupOfModule = (path: string): string => {
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path)
  if (dependency?.[1] !== undefined) return dependency[1]
  return path.replace(/^(\.\.\/)+/, 'packages/').replace(/^src\//, 'packages/bench/src/')
}

const groupOfFrame = (frame: CpuProfile['nodes'][number]['callFrame'], bundleUrl: string, starts: ReturnType<typeof moduleStarts>): string => {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : 'native'
  if (!frame.url.endsWith(bundleUrl)) {
    if (frame.url.startsWith('node:internal/deps/undici')) return 'node: undici (fetch)'
    return frame.url.startsWith('node:') ? 'node: other' : frame.url
  }
  let path = '(bundle preamble)'
  for (const start of starts) {
    if (start.line > frame.lineNumber) break
    path = start.path
  }
  return groupOfModule(path)
}

/**
 * Self time per group, largest first. `bundleFile` is the driver bundle the profile ran (its
 * module comments locate each function).
 *
 * @example
 * ```ts
 * for (const { group, ms, share } of summarizeProfile(profile, '/repo/packages/bench/.build/drivers/jwtSyncMemory.mjs'))
 *   console.log(group, ms.toFixed(0), `${(share * 100).toFixed(1)}%`)
 * ```
 */
export const summarizeProfile = (profile: CpuProfile, bundleFile: string, bundleSource = readFileSync(bundleFile, 'utf8')): ProfileGroup[] => {
  const starts = moduleStarts(bundleSource)
  const bundleUrl = bundleFile.split('/').slice(-2).join('/')
  const selfMicros = new Map<number, number>()
  profile.samples.forEach((nodeId, index) => selfMicros.set(nodeId, (selfMicros.get(nodeId) ?? 0) + (profile.timeDeltas[index] ?? 0)))
  const groups = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id)
    if (micros === undefined) continue
    const group = groupOfFrame(node.callFrame, bundleUrl, starts)
    groups.set(group, (groups.get(group) ?? 0) + micros)
    total += micros
  }
  return [...groups]
    .map(([group, micros]) => ({ group, ms: micros / 1000, share: total === 0 ? 0 : micros / total }))
    .sort((a, b) => b.ms - a.ms)
}
