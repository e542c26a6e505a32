import type { BudgetResult } from '../../../scripts/sizeBudgets.mjs'
import type { BundleSize } from './bundleSize.js'
import type { DeliveryRun } from './deliveryRun.js'
import type { DeliverySubject } from './deliverySubjects.js'
import { summarize, type Summary } from './statistics.js'
import type { Verdict } from './targets.js'

/**
 * One delivery subject over all rounds.
 *
 * @example
 * ```ts
 * if (!line.lossless) console.log(`${line.label}: lost ${line.lostTotal}`)
 * ```
 */
export type DeliveryLine = {
  readonly id: string
  readonly label: string
  readonly role: DeliverySubject['role']
  readonly rounds: number
  /** Items each run tracked (N). */
  readonly itemsPerRun: number
  readonly itemsPerSecond: Summary
  readonly wallMs: Summary
  readonly trackedMs: Summary
  readonly cpuMs: Summary
  readonly peakRssBytes: Summary
  readonly requests: Summary
  readonly bytes: Summary
  /** fdatasync calls per request, for the drivers that count them. */
  readonly fdatasyncsPerBatch: Summary | null
  readonly lostTotal: number
  readonly duplicatedTotal: number
  readonly retransmittedTotal: number
  /** Every round delivered all N, none twice, without a driver error. */
  readonly lossless: boolean
  readonly errors: readonly string[]
  /** Median items/s over the floor's median items/s. */
  readonly vsFloor: number | null
  /** Median items/s over the fastest lossless peer's. */
  readonly vsFastestLosslessPeer: number | null
}


/**
 * Everything a run measured, as written to results/latest.json.
 *
 * @example
 * ```ts
 * writeFileSync('latest.json', JSON.stringify(results, null, 2))
 * ```
 */
export type BenchResults = {
  readonly date: string
  readonly command: string
  readonly machine: { readonly cpuModel: string; readonly cores: number; readonly memoryGiB: number; readonly node: string; readonly platform: string; readonly loadAverageAtStart: readonly number[]; readonly loadAverageAtEnd: readonly number[] }
  readonly settings: { readonly n: number; readonly rounds: number }
  readonly versions: Readonly<Record<string, string>>
  readonly delivery: { readonly fastestLosslessPeer: string | null; readonly lines: readonly DeliveryLine[]; readonly runs: readonly DeliveryRun[] }
  readonly bundles: readonly BundleSize[]
  /** The budgets of .size-limit.json, measured from `dist`. */
  readonly budgets: readonly BudgetResult[]
  /** What gzip costs in CPU (R20), from the gzip and plain memory subjects. */
  readonly compressionCost: string
  readonly verdicts: readonly Verdict[]
  readonly notes: readonly string[]
}

/**
 * Folds the runs of each subject into one line, with ratios against the floor and against the
 * fastest peer that lost nothing.
 *
 * @example
 * ```ts
 * const { lines, fastestLosslessPeer } = summarizeDelivery(DELIVERY_SUBJECTS, runs, 20_000)
 * ```
 */
export const summarizeDelivery = (subjects: readonly DeliverySubject[], runs: readonly DeliveryRun[], n: number): { lines: DeliveryLine[]; fastestLosslessPeer: string | null } => {
  const partial = subjects
    .map((subject) => {
      const own = runs.filter((run) => run.subject === subject.id)
      const ok = own.filter((run) => Number.isFinite(run.wallMs))
      const errors = own.flatMap((run) => (run.error === undefined ? [] : [`round ${run.round}: ${run.error}`]))
      const lostTotal = own.reduce((sum, run) => sum + run.lost, 0)
      const duplicatedTotal = own.reduce((sum, run) => sum + run.duplicated, 0)
      return {
        id: subject.id,
        label: subject.label,
        role: subject.role,
        rounds: own.length,
        itemsPerRun: n,
        itemsPerSecond: summarize(ok.map((run) => run.itemsPerSecond)),
        wallMs: summarize(ok.map((run) => run.wallMs)),
        trackedMs: summarize(ok.map((run) => run.trackedMs)),
        cpuMs: summarize(ok.map((run) => run.cpuMs)),
        peakRssBytes: summarize(ok.map((run) => run.peakRssBytes)),
        requests: summarize(own.map((run) => run.requests)),
        bytes: summarize(own.map((run) => run.bytes)),
        fdatasyncsPerBatch: own.some((run) => run.fdatasyncs !== undefined)
          ? summarize(own.flatMap((run) => (run.fdatasyncs === undefined || run.requests === 0 ? [] : [run.fdatasyncs / run.requests])))
          : null,
        lostTotal,
        duplicatedTotal,
        retransmittedTotal: own.reduce((sum, run) => sum + run.retransmitted, 0),
        lossless: own.length > 0 && lostTotal === 0 && duplicatedTotal === 0 && errors.length === 0 && own.every((run) => run.complete),
        errors,
      }
    })
    .filter((line) => line.rounds > 0)
  const floor = partial.find((line) => line.role === 'floor')
  const fastest = partial.filter((line) => line.role === 'peer' && line.lossless).sort((a, b) => b.itemsPerSecond.median - a.itemsPerSecond.median)[0]
  const lines = partial.map((line) => ({
    ...line,
    vsFloor: floor === undefined ? null : line.itemsPerSecond.median / floor.itemsPerSecond.median,
    vsFastestLosslessPeer: fastest === undefined ? null : line.itemsPerSecond.median / fastest.itemsPerSecond.median,
  }))
  return { lines, fastestLosslessPeer: fastest?.id ?? null }
}

const ratio = (value: number | null): string => (value === null || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)}x`)

const fmtInt = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a')
const range = (summary: Summary, format: (value: number) => string): string => `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`
const megabytes = (value: number): string => (Number.isFinite(value) ? (value / 1048576).toFixed(0) : 'n/a')
const kilobytes = (value: number): string => (value / 1024).toFixed(1)

/**
 * The markdown report: setup, delivery table, bundle table, verdicts, notes.
 *
 * @example
 * ```ts
 * writeFileSync('latest.md', renderMarkdown(results))
 * ```
 */
export const renderMarkdown = (results: BenchResults): string => {
  const out: string[] = []
  const { machine, settings } = results
  out.push(`Measured ${results.date} on ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}); \`${results.command}\`. Load average (1/5/15 min) at start ${machine.loadAverageAtStart.map((v) => v.toFixed(1)).join('/')}, at end ${machine.loadAverageAtEnd.map((v) => v.toFixed(1)).join('/')}.`)
  if (results.delivery.lines.length > 0) {
    out.push('')
    out.push(`**End-to-end delivery** of N = ${fmtInt(settings.n)} tracked items (one user, 8 attributes) to a loopback sink, until the sink holds all N. Separate process per driver, ${settings.rounds} interleaved rounds; median (min–max).`)
    out.push('')
    out.push('| SDK | items/s | wall ms | of which tracking ms | CPU ms | peak RSS MB | requests | KB sent | fdatasync per batch | lost / dup | vs floor | vs fastest lossless peer |')
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for (const line of results.delivery.lines) {
      const flag = line.lossless ? '' : ' ⚠ **lost/duplicated or failed: not credited**'
      const fastest = line.id === results.delivery.fastestLosslessPeer ? ' (fastest lossless peer)' : ''
      // A driver that lost items did not do the work the others did: its speed is not credited.
      const credited = (value: number | null): string => (line.lossless ? ratio(value) : 'not credited')
      out.push(
        `| ${line.label}${fastest}${flag} | ${range(line.itemsPerSecond, fmtInt)} | ${range(line.wallMs, fmtInt)} | ${fmtInt(line.trackedMs.median)} | ${range(line.cpuMs, fmtInt)} | ${range(line.peakRssBytes, megabytes)} | ${fmtInt(line.requests.median)} | ${kilobytes(line.bytes.median)} | ${line.fdatasyncsPerBatch === null ? '' : line.fdatasyncsPerBatch.median.toFixed(2)} | ${line.lostTotal} / ${line.duplicatedTotal} | ${credited(line.vsFloor)} | ${credited(line.vsFastestLosslessPeer)} |`,
      )
    }
  }
  if (results.bundles.length > 0) {
    out.push('')
    out.push('**Browser bundle**: initialize + identify + track + flush, built from each package as published (jwt-sync from `dist`), esbuild minified, ES2020, browser platform, ESM with splitting; gzip -9 of the initial chunk (lazy chunks apart).')
    out.push('')
    out.push('| SDK | version | initial chunk gzipped KB | minified KB | lazy chunks (their gzipped KB) |')
    out.push('| --- | --- | ---: | ---: | ---: |')
    for (const bundle of results.bundles) {
      const version = results.versions[bundle.label] ?? ''
      out.push(bundle.ok ? `| ${bundle.label} | ${version} | ${kilobytes(bundle.gzipBytes)} | ${kilobytes(bundle.minifiedBytes)} | ${bundle.lazyChunks} (${kilobytes(bundle.lazyGzipBytes)}) |` : `| ${bundle.label} | ${version} | not measured: ${bundle.error} | | |`)
    }
  }
  if (results.budgets.length > 0) {
    out.push('')
    out.push('**Size budgets** (`.size-limit.json`, built from `dist` as an app\'s bundler builds it; esbuild minified, ES2020, gzip -9):')
    out.push('')
    out.push('| bundle | gzipped KB | target KB | enforced limit KB | minified KB |')
    out.push('| --- | ---: | ---: | ---: | ---: |')
    for (const budget of results.budgets) out.push(`| ${budget.name} | ${kilobytes(budget.gzipBytes)} | ${kilobytes(budget.targetBytes)} | ${kilobytes(budget.limitBytes)} | ${kilobytes(budget.minifiedBytes)} |`)
  }
  if (results.compressionCost !== 'not run') {
    out.push('')
    out.push(`**Compression cost** (R20, zlib level 1 in the thread pool; gzip subject against the plain memory subject, medians): ${results.compressionCost}.`)
  }
  if (results.verdicts.length > 0) {
    out.push('')
    out.push(`**Targets** (issue 12; ${results.machine.cores}-core machine, N = ${fmtInt(settings.n)}):`)
    out.push('')
    for (const verdict of results.verdicts) out.push(`- ${verdict.pass ? 'PASS' : 'MISS'}: ${verdict.target}: ${verdict.measured}`)
  }
  if (results.notes.length > 0) {
    out.push('')
    for (const note of results.notes) out.push(`- ${note}`)
  }
  out.push('')
  out.push(`Versions: ${Object.entries(results.versions).map(([name, version]) => `${name} ${version}`).join(', ')}.`)
  return `${out.join('\n')}\n`
}
