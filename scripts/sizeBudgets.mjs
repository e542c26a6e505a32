// The size budgets of .size-limit.json (size-limit's format: name, import or path, ignore, limit),
// measured the way an app's bundler builds the published packages: esbuild with its default
// conditions and fields (so `dist`, never `src`), minified, ES2020, browser platform, and gzip -9
// of the output. Sizes are in KB of 1024 bytes, gzipped. `limit` is the ceiling the tests enforce
// (a bundle over it fails them); `target` is where the bundle should get to (issue 12), reported
// as MET or MISSED. Used by `pnpm size`, `pnpm build`, `pnpm bench` and the consumer test (on the
// installed tarballs), so all four agree.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const KB = 1024

const parseLimit = (name, limit) => {
  const match = /^(\d+(?:\.\d+)?)\s*KB$/i.exec(String(limit))
  if (match === null) throw new Error(`${name}: limit must look like "30 KB", got ${JSON.stringify(limit)}`)
  return Math.round(Number(match[1]) * KB)
}

/** Reads and checks a budget file; throws naming the entry at fault. */
export const readBudgets = (file) => {
  const entries = JSON.parse(readFileSync(file, 'utf8'))
  if (!Array.isArray(entries)) throw new Error(`${file}: expected an array of budgets`)
  return entries.map((entry, index) => {
    const name = typeof entry?.name === 'string' ? entry.name : `budget ${index}`
    const hasImport = typeof entry?.import === 'object' && entry.import !== null
    const hasPath = typeof entry?.path === 'string'
    if (hasImport === hasPath) throw new Error(`${name}: give either "import" (package -> named imports) or "path"`)
    const limitBytes = parseLimit(name, entry.limit)
    return {
      name,
      ...(hasImport ? { import: entry.import } : { path: entry.path }),
      bundle: entry.bundle !== false,
      ignore: Array.isArray(entry.ignore) ? entry.ignore : [],
      limitBytes,
      targetBytes: entry.target === undefined ? limitBytes : parseLimit(name, entry.target),
    }
  })
}

const entryCode = (budget) =>
  budget.import !== undefined
    ? Object.entries(budget.import).map(([specifier, names]) => `export ${names} from ${JSON.stringify(specifier)}`).join('\n')
    : `import ${JSON.stringify(budget.path)}`

/** Measures one budget; package names resolve from `resolveDir`, an app's folder. */
export const measureBudget = async (budget, { resolveDir }) => {
  if (!budget.bundle) {
    const file = createRequire(join(resolveDir, 'app.js')).resolve(budget.path)
    const bytes = readFileSync(file)
    return { ...budget, minifiedBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length, commonJsModules: [] }
  }
  const result = await build({
    stdin: { contents: entryCode(budget), resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: budget.ignore.flatMap((name) => [name, `${name}/*`]),
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  const commonJsModules = Object.entries(result.metafile.inputs).filter(([, input]) => input.format === 'cjs').map(([path]) => path)
  return { ...budget, minifiedBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, commonJsModules }
}

/**
 * What each library adds to a budget's bundle: the bundle's gzipped size with the library left
 * out (external), subtracted from its full size; and the size with all of them left out (the
 * project's own code). Gzip shares a dictionary across the bundle, so the parts add up only
 * roughly.
 */
export const measureComposition = async (budget, { resolveDir }, libraries) => {
  const sizeWithout = async (left) => (await measureBudget({ ...budget, ignore: [...budget.ignore, ...left] }, { resolveDir })).gzipBytes
  const full = await sizeWithout([])
  const parts = []
  for (const library of libraries) parts.push({ name: library, gzipBytes: full - (await sizeWithout([library])) })
  return { full, parts, own: await sizeWithout(libraries) }
}

/** Measures every budget of a file. */
export const measureBudgets = async (file, options) => Promise.all(readBudgets(file).map((budget) => measureBudget(budget, options)))

const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`

/** One line per budget: the target MET or MISSED with the ratio, and whether the enforced limit holds. */
export const formatBudget = (result) =>
  `${result.gzipBytes <= result.targetBytes ? 'MET   ' : 'MISSED'} ${result.name}: ${kb(result.gzipBytes)} gzipped, target ${kb(result.targetBytes)} (${(result.gzipBytes / result.targetBytes).toFixed(2)}x); ${result.gzipBytes <= result.limitBytes ? 'within' : 'OVER'} the enforced limit of ${kb(result.limitBytes)}; ${kb(result.minifiedBytes)} minified`

/**
 * Runs `measure` with a scratch app folder whose node_modules link every public package of the
 * workspace at `root`: they resolve as an app's bundler resolves installed packages (their `dist`).
 */
export const withWorkspaceApp = async (root, measure) => {
  const packagesDir = join(root, 'packages')
  const app = mkdtempSync(join(tmpdir(), 'jwt-sync-size-'))
  try {
    for (const folder of readdirSync(packagesDir)) {
      const manifestPath = join(packagesDir, folder, 'package.json')
      if (!existsSync(manifestPath)) continue
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
      if (manifest.private === true) continue
      const link = join(app, 'node_modules', ...manifest.name.split('/'))
      mkdirSync(dirname(link), { recursive: true })
      symlinkSync(join(packagesDir, folder), link, 'dir')
    }
    return await measure(app)
  } finally {
    rmSync(app, { recursive: true, force: true })
  }
}
