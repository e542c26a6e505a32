#!/usr/bin/env node
// Mutation testing with Stryker (issue 14). Usage, from the repository root:
//
//   node mutation/run.mjs              every scope (core, server); refreshes the committed
//                                      baseline (mutation/incremental) and mutation/SUMMARY.md
//   node mutation/run.mjs jwt|wire|sync|core|server
//                                      one scope, for work on it; results stay in reports/
//   node mutation/run.mjs guard        CI: every scope, incremental from the committed baseline,
//                                      time-boxed; fails when a folder drops below its threshold
//   node mutation/run.mjs check        thresholds only, on the reports already written
//   node mutation/run.mjs summary      mutation/SUMMARY.md from the committed results as they stand
//   node mutation/run.mjs merge SCOPE  a stopped scope run's saved results into the baseline
//
// Options: --fresh (retest every mutant, ignoring incremental results), --retest-static (also retest
// the static mutants no test detected, against every test: see runScope), --dry-run-only (instrument
// and run the tests once: counts mutants and static ones), --concurrency N (or
// MUTATION_CONCURRENCY; default 1: the machine has 2 cores and is shared), --minutes N (guard's
// time box, default 10). Environment passed to the tests: FC_RUNS (model-based runs, 10 here
// unless set; CI's plain test run keeps 1,000) and FC_SEED (fixed, so every mutant meets the
// same runs and a score can be reproduced).
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BASELINE_DIR, FULL_SCOPES, REPORTS_DIR, SCOPES, SUITES, THRESHOLDS } from './scopes.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
process.chdir(ROOT)

const args = process.argv.slice(2)
const flag = (name) => args.includes(`--${name}`)
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`)
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback
}
const positional = args.filter((arg, index) => !arg.startsWith('--') && !['--concurrency', '--minutes', '--note'].includes(args[index - 1] ?? ''))
const command = positional[0] ?? 'full'

const reportPaths = (scope, kind = 'runs') => ({
  html: `${REPORTS_DIR}/${kind}/${scope}/index.html`,
  json: `${REPORTS_DIR}/${kind}/${scope}/mutation.json`,
})

/** The Stryker options of one scope. */
const strykerOptions = (scope, { incrementalFile, fresh, concurrency, kind, ignoreStatic, mutateOnly }) => {
  const { suite } = SCOPES[scope]
  const mutate = mutateOnly ?? SCOPES[scope].mutate
  const reports = reportPaths(scope, kind)
  return {
    testRunner: 'vitest',
    plugins: [fileURLToPath(import.meta.resolve('@stryker-mutator/vitest-runner'))],
    // Threads start faster than forks; each test file still gets fresh modules (isolation).
    vitest: { configFile: SUITES[suite].vitestConfig, related: false, pool: 'threads' },
    coverageAnalysis: 'perTest',
    // See runScope: the first pass leaves static mutants for the second.
    ignoreStatic,
    mutate,
    // TypeScript 7 has no JavaScript API: Stryker's tsconfig rewriting and its TypeScript
    // checker cannot run. Pointing at no file skips the rewriting; there is no checker.
    tsconfigFile: 'mutation/no-tsconfig.json',
    checkers: [],
    // Only what the tests read is copied into the sandbox (node_modules are linked, not copied).
    ignorePatterns: ['/packages/*', '!/packages/core', '!/packages/reference-server', 'dist', '/docs/api', '/reports', '/.changeset', '/coverage', '*.tsbuildinfo'],
    tempDirName: `${REPORTS_DIR}/.stryker-tmp`,
    cleanTempDir: 'always',
    concurrency,
    incremental: true,
    incrementalFile,
    force: fresh,
    dryRunOnly: flag('dry-run-only'),
    // A mutant's tests get their normal time x1.5, plus the dry run's overhead, plus this much.
    timeoutMS: 5_000,
    reporters: ['html', 'json', 'clear-text', 'progress-append-only'],
    htmlReporter: { fileName: reports.html },
    jsonReporter: { fileName: reports.json },
    clearTextReporter: { allowColor: false, reportMutants: false, reportTests: false, logTests: false },
    thresholds: { high: 90, low: 80, break: null },
    fileLogLevel: 'off',
    logLevel: 'info',
  }
}

/** Runs Stryker for one scope in a child process (own process group, so a time box can end it). */
const runStryker = (scope, settings, deadline) =>
  new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--stryker-child', JSON.stringify(strykerOptions(scope, settings))], {
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, FC_RUNS: process.env.FC_RUNS ?? '10', FC_SEED: process.env.FC_SEED ?? '20261128' },
    })
    // Stryker runs in its own process group (so a time box can end it with its workers); when
    // this process is stopped, the group goes too.
    const stop = (signal) => {
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {}
      process.exit(signal === 'SIGINT' ? 130 : 143)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    let timedOut = false
    const timer =
      deadline === null
        ? null
        : setTimeout(() => {
            timedOut = true
            console.error(`mutation: ${scope} is still running at its time box; stopping it`)
            try {
              process.kill(-child.pid, 'SIGTERM')
              setTimeout(() => {
                try {
                  process.kill(-child.pid, 'SIGKILL')
                } catch {}
              }, 10_000).unref()
            } catch {}
          }, Math.max(0, deadline - Date.now()))
    child.on('exit', (code) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      if (timer !== null) clearTimeout(timer)
      const minutes = ((Date.now() - started) / 60_000).toFixed(1)
      console.log(`mutation: ${scope} took ${minutes} min`)
      resolve({ ok: code === 0 && !timedOut, timedOut, minutes })
    })
  })

/**
 * One scope in two passes over one incremental file. Code that runs outside any test (module
 * definitions, and SDK work still settling between tests) makes a mutant "static", and Stryker
 * runs every test for a static mutant: about 40% of the core's mutants, far too slow on two cores.
 * Pass 1 ignores static mutants: those also covered by tests run with just those tests, activated
 * at run time; those covered by no test at all are set aside ("Ignored"). Pass 2 does not ignore
 * them: it reuses every result of pass 1 (incremental mode never reuses an "Ignored" one) and runs
 * the set-aside mutants against every test. No mutant is left out of the score.
 */
const runScope = async (scope, settings, deadline) => {
  const first = await runStryker(scope, { ...settings, ignoreStatic: true }, deadline)
  if (!first.ok || flag('dry-run-only')) return first
  // Undetected static mutants are kept as measured unless asked (--retest-static): retesting one
  // runs every test (10 to 30 s each here, 15 to 25 minutes for the core's), and a new test that
  // kills one can only raise the score. The guard always keeps them.
  const forgotten = settings.keepStatic === true ? 0 : forgetUndetectedStatic(settings.incrementalFile)
  const setAside = countStatus(settings.incrementalFile, 'Ignored')
  if (forgotten === 0 && setAside === 0) {
    console.log(`mutation: ${scope}: no static mutant left to run, no second pass`)
    return first
  }
  const second = await runStryker(scope, { ...settings, ignoreStatic: false, fresh: false }, deadline)
  return { ...second, minutes: (Number(first.minutes) + Number(second.minutes)).toFixed(1) }
}

/** How many mutants of an incremental file have this status. */
const countStatus = (file, status) => {
  const report = readReport(file)
  if (report === null) return 0
  let count = 0
  for (const entry of Object.values(report.files)) for (const mutant of entry.mutants) if (mutant.status === status) count++
  return count
}

/**
 * Incremental mode reuses a survivor unless a new test covers it; a static mutant is covered by
 * no test in particular, so a new test that kills it would go unnoticed. Before pass 2 the
 * undetected static mutants are taken out of the incremental file: pass 2 runs them again.
 */
const forgetUndetectedStatic = (file) => {
  const report = readReport(file)
  if (report === null) return 0
  let forgotten = 0
  for (const entry of Object.values(report.files)) {
    const kept = entry.mutants.filter((mutant) => !(mutant.static === true && UNDETECTED.has(mutant.status)))
    forgotten += entry.mutants.length - kept.length
    entry.mutants = kept
  }
  if (forgotten > 0) writeFileSync(file, JSON.stringify(report))
  console.log(`mutation: ${forgotten} undetected static mutant(s) will be tested again`)
  return forgotten
}

/** In the child: Stryker 10 refuses Node < 22 when its CLI module loads. Nothing it runs here needs Node 22. */
const strykerChild = async (optionsJson) => {
  const realVersion = process.version
  Object.defineProperty(process, 'version', { value: 'v22.0.0', configurable: true, writable: true })
  const { Stryker } = await import('@stryker-mutator/core')
  Object.defineProperty(process, 'version', { value: realVersion, configurable: true, writable: true })
  await new Stryker(JSON.parse(optionsJson)).runMutationTest()
}

// ---- Scores ----------------------------------------------------------------------------------

const DETECTED = new Set(['Killed', 'Timeout'])
const UNDETECTED = new Set(['Survived', 'NoCoverage'])

const readReport = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null)

/** Killed, survived and score per folder (each folder counts every file below it) and per file. */
export const scoresOf = (reports) => {
  const folders = new Map()
  const bump = (key, detected) => {
    const entry = folders.get(key) ?? { detected: 0, undetected: 0 }
    if (detected) entry.detected++
    else entry.undetected++
    folders.set(key, entry)
  }
  for (const report of reports) {
    for (const [file, { mutants }] of Object.entries(report.files)) {
      const parts = file.split('/')
      for (const mutant of mutants) {
        if (!DETECTED.has(mutant.status) && !UNDETECTED.has(mutant.status)) continue
        const detected = DETECTED.has(mutant.status)
        for (let depth = 1; depth < parts.length; depth++) bump(parts.slice(0, depth).join('/'), detected)
        bump(file, detected)
      }
    }
  }
  return folders
}

const scoreText = (entry) => (entry === undefined || entry.detected + entry.undetected === 0 ? 'n/a' : ((100 * entry.detected) / (entry.detected + entry.undetected)).toFixed(2))

/** The folders a scope mutates every file of: its mutate globs less the trailing recursive glob. */
const rootsOf = (scopes) => scopes.flatMap((scope) => SCOPES[scope].mutate.map((glob) => glob.replace(/\/\*\*\/\*\.ts$/, '')))

/** Checks every threshold of a folder these scopes mutate in full; returns the failures. */
const checkThresholds = (reports, scopes) => {
  const scores = scoresOf(reports)
  const roots = rootsOf(scopes)
  const failures = []
  for (const [folder, minimum] of Object.entries(THRESHOLDS)) {
    const entry = scores.get(folder)
    if (entry === undefined || !roots.some((root) => folder === root || folder.startsWith(`${root}/`))) continue
    const score = Number(scoreText(entry))
    const line = `${folder}: ${score.toFixed(2)}% (threshold ${minimum}%, ${entry.detected} detected, ${entry.undetected} undetected)`
    if (score < minimum) failures.push(line)
    console.log(`${score < minimum ? 'BELOW' : 'ok   '} ${line}`)
  }
  return failures
}

const originalText = (source, location) => {
  const lines = source.split('\n')
  const { start, end } = location
  const text =
    start.line === end.line
      ? (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1)
      : [(lines[start.line - 1] ?? '').slice(start.column - 1), ...lines.slice(start.line, end.line - 1), (lines[end.line - 1] ?? '').slice(0, end.column - 1)].join('\n')
  return text
}

const oneLine = (text, max = 70) => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat
}

const sourceFilesUnder = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFilesUnder(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [`${dir}/${entry.name}`] : [],
  )

const statusTally = (reports) => {
  const counts = {}
  for (const report of reports) for (const { mutants } of Object.values(report.files)) for (const mutant of mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status} ${count}`)
    .join(', ')
}

/** mutation/SUMMARY.md: the score of every folder and each mutant no test detects. */
const writeSummary = async (reports, timing) => {
  const scores = scoresOf(reports)
  // Files Stryker makes no mutant in (types, re-exports) appear in no report: count them apart.
  const { mutantCounts } = await import('./mutantCount.mjs')
  const allFiles = [...new Set(FULL_SCOPES.flatMap((scope) => rootsOf([scope])).flatMap((root) => sourceFilesUnder(root)))]
  const counts = await mutantCounts(allFiles)
  const measuredFile = (file) => reports.some((report) => report.files[file] !== undefined)
  const partly = (await Promise.all(reports.map((report) => incompleteFiles(report)))).flat()
  const rows = [...scores.entries()]
    .filter(([key]) => !key.endsWith('.ts') && (key.startsWith('packages/core/src') || key.startsWith('packages/reference-server/src/verification')))
    .sort(([a], [b]) => a.localeCompare(b))
  const lines = [
    '# Mutation testing: summary',
    '',
    'Written by mutation/run.mjs (`pnpm mutation`, or `node mutation/run.mjs summary` from the committed',
    'results in `mutation/incremental/`); the HTML and JSON reports of the runs are in',
    '`reports/mutation/runs/` (not committed). How to read and refresh it: [README.md](README.md).',
    'Mutants no test can detect because they change nothing observable: [EQUIVALENT.md](EQUIVALENT.md).',
    '',
    `Results: ${timing}.`,
    '',
    '| Folder | Score | Detected | Undetected | Threshold | Files measured | Files without mutants |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(([folder, entry]) => {
      const files = sourceFilesUnder(folder)
      const withMutants = files.filter((file) => (counts.get(file) ?? 0) > 0)
      const measuredFiles = withMutants.filter(measuredFile).length
      const inPart = withMutants.filter((file) => partly.some((entry) => entry.file === file)).length
      return `| \`${folder}\` | ${scoreText(entry)}% | ${entry.detected} | ${entry.undetected} | ${THRESHOLDS[folder] !== undefined ? `${THRESHOLDS[folder]}%` : ''} | ${measuredFiles} of ${withMutants.length}${inPart > 0 ? ` (${inPart} in part)` : ''} | ${files.length - withMutants.length} |`
    }),
    '',
    'Files measured: files Stryker makes mutants in that a run has tested (in part: some of their mutants, listed below). Files without mutants: only',
    'types, re-exports or constants, where Stryker changes nothing (counted by its instrumenter).',
    '',
    'Detected: killed by a test, or timed out (an endless loop or a hang). Undetected: survived',
    'every test that runs the mutated code, or no test runs it. Not counted: mutants that do not',
    'compile or crash the test run outside any test, and static mutants a pass set aside and no',
    'later pass has run yet ("Ignored", listed below when there are any).',
    '',
    `Mutants by status: ${statusTally(reports)}.`,
    '',
    '## Undetected mutants',
    '',
  ]
  for (const report of reports) {
    for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
      const undetected = mutants.filter((mutant) => UNDETECTED.has(mutant.status)).sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column)
      if (undetected.length === 0) continue
      lines.push(`### \`${file}\` (${undetected.length})`, '')
      for (const mutant of undetected) {
        const at = `${mutant.location.start.line}:${mutant.location.start.column}`
        lines.push(`- ${at} ${mutant.status} ${mutant.mutatorName}: \`${oneLine(originalText(source, mutant.location)).replace(/`/g, "'")}\` -> \`${oneLine(mutant.replacement ?? '').replace(/`/g, "'")}\``)
      }
      lines.push('')
    }
  }
  // Files with code that no run has measured yet (a full run, or their scope's, measures them).
  if (partly.length > 0) {
    lines.push('## Measured in part', '', 'A stopped run tested only some of the mutants of these files; the scores above count those only:', '')
    for (const { file, measured, total } of partly) lines.push(`- \`${file}\`: ${measured} of ${total} mutants`)
    lines.push('')
  }
  const unmeasured = allFiles.filter((file) => (counts.get(file) ?? 0) > 0 && !measuredFile(file))
  const withoutMutants = allFiles.filter((file) => (counts.get(file) ?? 0) === 0)
  if (withoutMutants.length > 0) {
    lines.push('## Files without mutants', '', 'Stryker makes no mutant in these (types, re-exports, constants): nothing to measure.', '')
    lines.push(withoutMutants.map((file) => `\`${file}\``).join(', '), '')
  }
  if (unmeasured.length > 0) {
    lines.push('## Not measured yet', '', 'No run has tested the mutants of these files; the scores above leave them out:', '')
    for (const file of unmeasured) lines.push(`- \`${file}\``)
    lines.push('')
  }
  writeFileSync('mutation/SUMMARY.md', `${lines.join('\n').trimEnd()}\n`)
  console.log('mutation: wrote mutation/SUMMARY.md')
}

/** The committed incremental file a scope's results belong to: one per suite. */
const baselineOf = (scope) => `${BASELINE_DIR}/${SCOPES[scope].suite === 'core' ? 'core' : scope}.json`

/** Each test id of a report, as the test's file and name (ids are numbers, given per run). */
const testKeysOf = (report) => {
  const keys = new Map()
  for (const [file, entry] of Object.entries(report?.testFiles ?? {})) for (const test of entry.tests) keys.set(test.id, `${file}\u0000${test.name}`)
  return keys
}

/**
 * The baseline with a scope run's files in place of its own. Test ids are numbers given per run,
 * so the merged report numbers the tests anew: the run's tests, then the baseline's tests the run
 * no longer has (so a later run sees them removed and retests what they killed), and every
 * mutant's killedBy and coveredBy point at the same tests as before.
 */
const withTestsOf = (old, fresh) => {
  const oldKeys = testKeysOf(old)
  const freshKeys = testKeysOf(fresh)
  const testFiles = JSON.parse(JSON.stringify(fresh.testFiles ?? {}))
  const present = new Set(freshKeys.values())
  for (const [file, entry] of Object.entries(old.testFiles ?? {})) {
    for (const test of entry.tests) {
      const key = `${file}\u0000${test.name}`
      if (present.has(key)) continue
      present.add(key)
      testFiles[file] ??= { ...entry, tests: [] }
      testFiles[file].tests.push({ ...test })
    }
  }
  const idOf = new Map()
  let next = 0
  for (const [file, entry] of Object.entries(testFiles)) {
    for (const test of entry.tests) {
      test.id = String(next++)
      idOf.set(`${file}\u0000${test.name}`, test.id)
    }
  }
  const remapFile = (entry, keys) => ({
    ...entry,
    mutants: entry.mutants.map((mutant) => ({
      ...mutant,
      ...(mutant.killedBy !== undefined ? { killedBy: mutant.killedBy.map((id) => idOf.get(keys.get(id))).filter((id) => id !== undefined) } : {}),
      ...(mutant.coveredBy !== undefined ? { coveredBy: mutant.coveredBy.map((id) => idOf.get(keys.get(id))).filter((id) => id !== undefined) } : {}),
    })),
  })
  const files = {}
  for (const [file, entry] of Object.entries(old.files)) if (fresh.files[file] === undefined) files[file] = remapFile(entry, oldKeys)
  for (const [file, entry] of Object.entries(fresh.files)) files[file] = remapFile(entry, freshKeys)
  return { ...old, files, testFiles }
}

/**
 * Puts a narrower scope's incremental results into its suite's baseline: its files replace theirs,
 * every other file keeps its results, the tests are the latest run's (the same suite).
 */
const mergeIntoBaseline = (from, to, scope) => {
  const read = readReport(from)
  if (read === null) return
  // Only the scope's own files: the others in its file may be older copies.
  const roots = rootsOf([scope])
  const fresh = { ...read, files: Object.fromEntries(Object.entries(read.files).filter(([file]) => roots.some((root) => file === root || file.startsWith(`${root}/`)))) }
  const old = readReport(to)
  const merged = old === null ? fresh : withTestsOf(old, fresh)
  mkdirSync(path.dirname(to), { recursive: true })
  writeFileSync(to, JSON.stringify(merged))
  console.log(`mutation: ${Object.keys(fresh.files).length} file(s) of results merged into ${to}`)
}

/**
 * Files whose results cover only part of their mutants (a stopped run): the mutants the
 * instrumenter makes in the source the results were measured on, against the results there are.
 */
const incompleteFiles = async (report) => {
  if (report === null) return []
  const { mutantCountsOf } = await import('./mutantCount.mjs')
  const counts = await mutantCountsOf(Object.entries(report.files).map(([file, entry]) => [file, entry.source]))
  return Object.entries(report.files)
    .filter(([file, entry]) => entry.mutants.length < (counts.get(file) ?? 0))
    .map(([file, entry]) => ({ file, measured: entry.mutants.length, total: counts.get(file) ?? 0 }))
}

/** A mutant's identity across runs (Stryker numbers them per run). */
const mutantKey = (file, mutant) =>
  `${file}@${mutant.location.start.line}:${mutant.location.start.column}-${mutant.location.end.line}:${mutant.location.end.column} ${mutant.mutatorName} ${mutant.replacement ?? ''}`

/**
 * A stopped run's saved results (what it had tested, and what it reused) completed with the
 * baseline's results for the mutants it had not come to.
 */
const withBaseline = (partial, baseline) => {
  if (partial === null) return baseline
  if (baseline === null) return partial
  const files = { ...partial.files }
  for (const [file, entry] of Object.entries(baseline.files)) {
    const tested = files[file]
    if (tested === undefined) {
      files[file] = entry
      continue
    }
    const seen = new Set(tested.mutants.map((mutant) => mutantKey(file, mutant)))
    files[file] = { ...tested, mutants: [...tested.mutants, ...entry.mutants.filter((mutant) => !seen.has(mutantKey(file, mutant)))] }
  }
  return { ...partial, files }
}

/**
 * Test helpers (modules under the test folders that are not test files) changed since the commit
 * that last wrote the committed results: Stryker's incremental mode looks at test files only, so
 * such a change leaves results stale without retesting them. Empty when git cannot say.
 */
const staleTestHelpers = () => {
  const git = (...gitArgs) => {
    const result = spawnSync('git', gitArgs, { encoding: 'utf8' })
    return result.status === 0 ? result.stdout.trim() : null
  }
  const since = git('log', '-1', '--format=%H', '--', BASELINE_DIR)
  if (since === null || since === '') return []
  const changed = git('diff', '--name-only', since, '--', ...Object.values(SUITES).flatMap((suite) => suite.testDirs ?? []))
  if (changed === null) return []
  return changed.split('\n').filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
}

// ---- Commands --------------------------------------------------------------------------------

const main = async () => {
  if (args[0] === '--stryker-child') return strykerChild(args[1])
  const fresh = flag('fresh')
  // CI has the machine to itself: both cores. Elsewhere one, so people working beside it can.
  const concurrency = Number(option('concurrency', process.env.MUTATION_CONCURRENCY ?? (process.env.CI === 'true' ? '2' : '1')))
  mkdirSync(REPORTS_DIR, { recursive: true })

  if (command === 'merge') {
    // A scope run that was stopped (Stryker saves what it tested): put its results into the baseline.
    const scope = positional[1] ?? ''
    if (SCOPES[scope] === undefined) throw new Error(`merge: unknown scope ${scope}`)
    mergeIntoBaseline(`${REPORTS_DIR}/incremental/${scope}.json`, baselineOf(scope), scope)
    return
  }

  if (command === 'summary') {
    // SUMMARY.md from the committed results as they stand (each mutant as last measured, by a
    // full run or by the scope runs merged into them), with the thresholds.
    const reports = FULL_SCOPES.map((scope) => readReport(`${BASELINE_DIR}/${scope}.json`)).filter((report) => report !== null)
    const failures = checkThresholds(reports, FULL_SCOPES)
    await writeSummary(reports, option('note', 'assembled from the committed results in mutation/incremental/'))
    process.exitCode = failures.length > 0 ? 1 : 0
    return
  }

  if (command === 'check') {
    const reports = FULL_SCOPES.map((scope) => readReport(reportPaths(scope).json)).filter((report) => report !== null)
    const failures = checkThresholds(reports, FULL_SCOPES)
    process.exitCode = failures.length > 0 ? 1 : 0
    return
  }

  if (command === 'guard') {
    // CI: start from the committed baseline; only mutants whose code or covering tests changed
    // run. The server goes first (small). At the time box Stryker is stopped; it saves what it
    // tested so far, and the scores are computed from that plus the baseline's results. The guard
    // fails only on a score below its threshold: a time box, a Stryker crash or a missing
    // baseline is reported loudly and the guard passes on what it could measure.
    const deadline = Date.now() + Number(option('minutes', '10')) * 60_000
    const started = Date.now()
    const reports = []
    const trouble = []
    let stopped = false
    for (const scope of [...FULL_SCOPES].reverse()) {
      const incrementalFile = `${REPORTS_DIR}/guard/${scope}.incremental.json`
      mkdirSync(path.dirname(incrementalFile), { recursive: true })
      const baseline = `${BASELINE_DIR}/${scope}.json`
      if (!existsSync(baseline)) {
        trouble.push(`no committed results ${baseline}: ${scope} is not guarded (run pnpm mutation and commit mutation/)`)
        continue
      }
      copyFileSync(baseline, incrementalFile)
      if (stopped) {
        reports.push(readReport(baseline))
        continue
      }
      // The files the baseline measured: a file no run has measured yet is not guarded (it
      // would cost CI the time of measuring it, every time).
      // A file measured in part (a stopped run) is not guarded either: the guard would measure the
      // rest of it on every run. Its committed results still count in the scores.
      const partly = await incompleteFiles(readReport(baseline))
      if (partly.length > 0) {
        trouble.push(
          `measured in part, so not guarded (run its scope to finish it): ${partly.map(({ file, measured, total }) => `${file} (${measured} of ${total} mutants)`).join(', ')}`,
        )
      }
      const mutateOnly = Object.keys(readReport(baseline)?.files ?? {}).filter((file) => existsSync(file) && !partly.some((entry) => entry.file === file))
      const run = await runScope(scope, { incrementalFile, fresh: false, concurrency, kind: 'guard', mutateOnly, keepStatic: true }, deadline)
      if (run.timedOut) {
        stopped = true
        trouble.push(`the ${option('minutes', '10')}-minute time box stopped Stryker during ${scope}: the mutants it had not retested count as the committed results say`)
        reports.push(withBaseline(readReport(incrementalFile), readReport(baseline)))
      } else if (!run.ok) {
        trouble.push(`Stryker failed on ${scope} (see its output above): ${scope} is scored from the committed results`)
        reports.push(readReport(baseline))
      } else reports.push(withBaseline(readReport(reportPaths(scope, 'guard').json) ?? readReport(incrementalFile), readReport(baseline)))
    }
    const stale = staleTestHelpers()
    if (stale.length > 0) {
      trouble.push(
        `test helpers changed since the committed results were written (${stale.join(', ')}): Stryker tracks test files, not the ` +
          'modules they import, so the mutants those helpers exercise were not retested and their results may be stale',
      )
    }
    console.log(`mutation guard: ${((Date.now() - started) / 60_000).toFixed(1)} min`)
    if (trouble.length > 0) {
      const bar = '!'.repeat(100)
      console.warn(
        `${bar}\nmutation guard: WARNING: the scores below are not a full check of this tree:\n` +
          trouble.map((line) => `  - ${line}`).join('\n') +
          '\n  Refresh the results: `pnpm mutation` (or the scope of the code changed), commit mutation/.\n' +
          `${bar}`,
      )
    }
    const failures = checkThresholds(reports.filter((report) => report !== null), FULL_SCOPES)
    if (failures.length > 0) console.error(`mutation guard: FAILED: below threshold:\n  ${failures.join('\n  ')}`)
    else console.log('mutation guard: every folder at or above its threshold')
    process.exitCode = failures.length > 0 ? 1 : 0
    return
  }

  const scopes = command === 'full' ? FULL_SCOPES : [command]
  for (const scope of scopes) if (SCOPES[scope] === undefined) throw new Error(`unknown scope ${scope}; one of ${Object.keys(SCOPES).join(', ')}, guard, check`)
  const timings = []
  const reports = []
  for (const scope of scopes) {
    let incrementalFile
    if (command === 'full') {
      mkdirSync(BASELINE_DIR, { recursive: true })
      incrementalFile = `${BASELINE_DIR}/${scope}.json`
    } else {
      // A narrower scope starts from the baseline's results for its files, and its results go
      // back into the baseline (see mergeIntoBaseline), so scopes run one by one add up.
      incrementalFile = `${REPORTS_DIR}/incremental/${scope}.json`
      mkdirSync(path.dirname(incrementalFile), { recursive: true })
      const baseline = baselineOf(scope)
      if (!existsSync(incrementalFile) && existsSync(baseline)) copyFileSync(baseline, incrementalFile)
    }
    const run = await runScope(scope, { incrementalFile, fresh, concurrency, kind: 'runs', keepStatic: !fresh && !flag('retest-static') }, null)
    if (!run.ok) throw new Error(`mutation: Stryker failed on ${scope}`)
    if (flag('dry-run-only')) continue
    if (command !== 'full') mergeIntoBaseline(incrementalFile, baselineOf(scope), scope)
    timings.push(`${scope} ${run.minutes} min`)
    reports.push(readReport(reportPaths(scope).json))
  }
  if (flag('dry-run-only')) return
  const failures = checkThresholds(reports, scopes)
  if (command === 'full') {
    const when = new Date().toISOString().slice(0, 10)
    const how = fresh ? ', every mutant retested' : flag('retest-static') ? ', incremental, static survivors retested' : ', incremental'
    await writeSummary(reports, `${when}, ${timings.join(', ')} at concurrency ${concurrency}${how} (FC_RUNS=${process.env.FC_RUNS ?? '10'})`)
  }
  process.exitCode = failures.length > 0 ? 1 : 0
}

try {
  await main()
} catch (error) {
  // The guard fails CI only on a score below a threshold; anything else is said loudly.
  if (command !== 'guard') throw error
  const bar = '!'.repeat(100)
  console.warn(`${bar}\nmutation guard: WARNING: the guard could not run, nothing was checked:\n  ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n${bar}`)
  process.exitCode = 0
}
