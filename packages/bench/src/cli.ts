// `pnpm bench:peers`: end-to-end delivery and browser bundle size of jwt-sync against the SDKs
// its users would otherwise pick. Run through scripts/peers.mjs, which bundles this file into
// packages/bench/.build/cli.mjs (so paths below are relative to packages/bench either way).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { createTokenIssuer } from '@jwt-sync/reference-server'
import { BENCH_USER } from './benchItems.js'
import { measureBundle, type BundleSize, type BundleTarget } from './bundleSize.js'
import { parseCliArguments } from './cliArguments.js'
import { readCpuProfile, summarizeProfile } from './cpuProfile.js'
import { runDelivery, type DeliveryRun } from './deliveryRun.js'
import { DELIVERY_SUBJECTS } from './deliverySubjects.js'
import { README_END_MARKER, README_START_MARKER, replaceReadmeBlock } from './readmeBlock.js'
import { reportVerdicts } from '../../../scripts/benchVerdicts.mjs'
import { measureBudgets, withWorkspaceApp, type BudgetResult } from '../../../scripts/sizeBudgets.mjs'
import { renderMarkdown, summarizeDelivery, type BenchResults } from './report.js'
import { startSink } from './sink.js'
import { compressionCost, judgeBudgets, judgeDelivery } from './targets.js'

const benchRoot = fileURLToPath(new URL('..', import.meta.url))
const repoRoot = join(benchRoot, '..', '..')
const resultsDir = join(benchRoot, 'results')
const driverDir = join(benchRoot, '.build', 'drivers')

const fail = (message: string): never => {
  console.error(`bench:peers: ${message}`)
  process.exit(1)
}

const versionOf = (name: string, from: string): string => {
  const file = join(from, 'node_modules', name, 'package.json')
  if (!existsSync(file)) return 'not installed'
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }
  return typeof parsed.version === 'string' ? parsed.version : 'unknown'
}

const args = parseCliArguments(process.argv.slice(2))
if (E.isLeft(args)) fail(args.left)
const options = E.isRight(args) ? args.right : fail('unreachable')

if (options.updateReadme) {
  const readmePath = join(repoRoot, 'README.md')
  const tablePath = join(resultsDir, 'latest.md')
  if (!existsSync(tablePath)) fail(`no ${tablePath}; run \`pnpm bench:peers\` first`)
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : ''
  const updated = replaceReadmeBlock(readme, readFileSync(tablePath, 'utf8'))
  if (E.isLeft(updated)) fail(`${updated.left}. Put ${README_START_MARKER} and ${README_END_MARKER} on their own lines where the table belongs, then run again.`)
  if (E.isRight(updated)) writeFileSync(readmePath, updated.right)
  console.log(`bench:peers: README.md block replaced with ${tablePath}`)
  process.exit(0)
}

const loadAverageAtStart = os.loadavg()
const notes: string[] = []
const runs: DeliveryRun[] = []
const subjects = DELIVERY_SUBJECTS.filter((subject) => options.only === null || options.only.includes(subject.id))

/** Where a profiled driver's CPU went, the largest groups first (the profile stays in `directory`). */
const printProfile = (directory: string, bundleFile: string): void => {
  const file = existsSync(directory) ? readdirSync(directory).find((name) => name.endsWith('.cpuprofile')) : undefined
  if (file === undefined) return console.log('    no CPU profile was written')
  const profile = readCpuProfile(join(directory, file))
  if (E.isLeft(profile)) return console.log(`    ${profile.left}`)
  const groups = summarizeProfile(profile.right, bundleFile)
  console.log(`    CPU profile (self time by module, of ${groups.reduce((sum, group) => sum + group.ms, 0).toFixed(0)} ms sampled; ${join(directory, file)}):`)
  for (const group of groups.slice(0, 14)) console.log(`      ${group.ms.toFixed(0).padStart(6)} ms ${(group.share * 100).toFixed(1).padStart(5)}%  ${group.group}`)
}

if (!options.skipDelivery && subjects.length > 0) {
  const issuer = createTokenIssuer()
  if (E.isLeft(issuer)) fail(`token issuer: ${issuer.left}`)
  const token = E.isRight(issuer) ? await issuer.right.issue({ identifier: BENCH_USER, lifetimeSeconds: 3600 }) : ''
  const sink = await startSink()
  const deadlineMs = Math.max(60_000, options.n * 6)
  console.log(`delivery: N = ${options.n}, ${options.rounds} rounds, ${subjects.length} drivers, sink ${sink.url}`)
  try {
    for (let round = 1; round <= options.rounds; round++) {
      for (const subject of subjects) {
        const profileDir = options.profile ? join(resultsDir, 'profiles', `${subject.id}-r${round}`) : undefined
        if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true })
        const run = await runDelivery({ subject, round, sink, n: options.n, driverDir, token, deadlineMs, ...(profileDir === undefined ? {} : { profileDir }) })
        runs.push(run)
        const flag = run.lost > 0 || run.duplicated > 0 || run.error !== undefined ? `  LOST ${run.lost} DUP ${run.duplicated}${run.error === undefined ? '' : ` ERROR ${run.error}`}` : ''
        const fdatasyncs = run.fdatasyncs === undefined ? '' : `  ${run.fdatasyncs} fdatasync`
        console.log(`  round ${round} ${subject.id.padEnd(20)} ${Math.round(run.itemsPerSecond).toString().padStart(7)} items/s  wall ${Math.round(run.wallMs)} ms  cpu ${Math.round(run.cpuMs)} ms  rss ${Math.round(run.peakRssBytes / 1048576)} MB  ${run.requests} req  ${Math.round(run.bytes / 1024)} KB${fdatasyncs}${flag}`)
        if (profileDir !== undefined) printProfile(profileDir, join(driverDir, `${subject.driver}.mjs`))
      }
    }
  } finally {
    await sink.close()
  }
  notes.push('The sink de-duplicates by each SDK\'s message id (jwt-sync item id, Segment messageId, PostHog uuid, Amplitude insert_id, a UUID for the floor); "dup" counts items that arrived under two different ids.')
  notes.push('Wall time runs from SDK creation to the moment the sink holds all N; tracks are fed 100 per event-loop turn; CPU is process.cpuUsage() over that span; peak RSS is the driver process\'s maxRSS.')
  notes.push('A driver whose sink count stops growing for 5 s while its flush() keeps returning is stopped: the missing items count as lost and it is not credited (no ratio is taken against it).')
  notes.push('posthog-node keeps at most maxQueueSize (default 1000) events in memory and drops the oldest beyond it; under this burst (100 tracks per event-loop turn) that is where its losses come from.')
  notes.push('JWT: jwt-sync sends an RS256 token from createTokenIssuer on every request; the sink checks the header is present, it does not verify the signature (nor any peer\'s key).')
}

const bundles: BundleSize[] = []
let budgets: BudgetResult[] = []
if (!options.skipBundle) {
  // The published `dist`, as an app's bundler builds it: `pnpm bench` runs `pnpm build` first.
  budgets = await withWorkspaceApp(repoRoot, (app) => measureBudgets(join(repoRoot, '.size-limit.json'), { resolveDir: app }))
  for (const budget of budgets) console.log(`  budget ${budget.name}: ${budget.gzipBytes} bytes gzipped (limit ${budget.limitBytes})`)
  const entry = (name: string): string => join(benchRoot, 'browser-entries', `${name}.mjs`)
  const targets: BundleTarget[] = [
    { id: 'jwt-sync', label: 'jwt-sync', entry: entry('jwt-sync'), packages: ['@jwt-sync/core', '@jwt-sync/adapter-fetch', '@jwt-sync/adapter-storage'] },
    { id: 'segment', label: '@segment/analytics-next', entry: entry('segment'), packages: ['@segment/analytics-next'] },
    { id: 'braze', label: '@braze/web-sdk', entry: entry('braze'), packages: ['@braze/web-sdk'] },
    { id: 'amplitude', label: '@amplitude/analytics-browser', entry: entry('amplitude'), packages: ['@amplitude/analytics-browser'] },
    { id: 'posthog', label: 'posthog-js', entry: entry('posthog'), packages: ['posthog-js'] },
  ]
  for (const target of targets) {
    const size = await measureBundle(target)
    bundles.push(size)
    console.log(`  bundle ${target.label.padEnd(30)} ${size.ok ? `${size.gzipBytes} bytes gzipped (${size.minifiedBytes} minified, ${size.lazyChunks} lazy chunks)` : `not measured: ${size.error}`}`)
    if (size.ok && target.id === 'jwt-sync') console.log(`    minified bytes by package: ${Object.entries(size.minifiedBytesByPackage).map(([name, bytes]) => `${name} ${bytes}`).join(', ')}`)
  }
  notes.push('Segment analytics-next and posthog-js have no public flush(); their entries initialize, identify and track. Segment\'s initial chunk is a loader: AnalyticsBrowser.load() imports its core from lazy chunks at once (their size is in the last column), and its destinations from its CDN at run time (in no chunk).')
}

const versions: Record<string, string> = {
  'jwt-sync': versionOf('@jwt-sync/core', benchRoot),
  '@jwt-sync/core': versionOf('@jwt-sync/core', benchRoot),
  '@jwt-sync/adapter-fetch': versionOf('@jwt-sync/adapter-fetch', benchRoot),
  '@jwt-sync/adapter-storage': versionOf('@jwt-sync/adapter-storage', benchRoot),
}
for (const name of ['@segment/analytics-node', 'posthog-node', '@amplitude/analytics-node', '@segment/analytics-next', '@braze/web-sdk', '@amplitude/analytics-browser', 'posthog-js']) versions[name] = versionOf(name, benchRoot)
versions['esbuild'] = versionOf('esbuild', repoRoot)

const { lines, fastestLosslessPeer } = summarizeDelivery(subjects, runs, options.n)
const cpus = os.cpus()
const results: BenchResults = {
  date: new Date().toISOString(),
  command: `pnpm bench:peers ${process.argv.slice(2).join(' ')}`.trim(),
  machine: { cpuModel: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverageAtStart, loadAverageAtEnd: os.loadavg() },
  settings: { n: options.n, rounds: options.rounds },
  versions,
  delivery: { fastestLosslessPeer, lines, runs },
  bundles,
  budgets,
  compressionCost: compressionCost(lines),
  verdicts: [...(lines.length > 0 ? judgeDelivery(lines) : []), ...judgeBudgets(budgets)],
  notes,
}
const markdown = renderMarkdown(results)
const full = options.only === null && !options.skipDelivery && !options.skipBundle && !options.profile
const base = full ? 'latest' : 'partial'
mkdirSync(resultsDir, { recursive: true })
writeFileSync(join(resultsDir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(join(resultsDir, `${base}.md`), markdown)
console.log('')
console.log(markdown)
console.log(`written: packages/bench/results/${base}.json and ${base}.md${full ? '' : ' (partial run: latest.* untouched)'}`)
reportVerdicts(`bench: delivery and bundles${full ? '' : ' (partial run)'}`, results.verdicts)
