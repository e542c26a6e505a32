import type { BudgetResult } from '../../../scripts/sizeBudgets.mjs'
import type { DeliveryLine } from './report.js'

/**
 * A target of the brief and whether the run met it.
 *
 * @example
 * ```ts
 * console.log(`${verdict.pass ? 'PASS' : 'MISS'} ${verdict.target}: ${verdict.measured}`)
 * ```
 */
export type Verdict = { readonly target: string; readonly measured: string; readonly pass: boolean }

const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a')

/** Commits of a run that belong to no batch: the control state at start, the last acknowledgement. */
const FIXED_FDATASYNCS = 5

/**
 * Issue 12's delivery targets, judged on the medians of one run. A target whose subjects did not
 * run (a partial run) or lost items is a miss, said so: speed that lost data is not credited.
 *
 * @example
 * ```ts
 * for (const verdict of judgeDelivery(lines)) console.log(verdict.pass, verdict.target)
 * ```
 */
export const judgeDelivery = (lines: readonly DeliveryLine[]): Verdict[] => {
  const line = (id: string): DeliveryLine | undefined => lines.find((candidate) => candidate.id === id)
  const floor = lines.find((candidate) => candidate.role === 'floor')
  const memory = line('jwt-sync-memory')
  const gzip = line('jwt-sync-memory-gzip')
  const file = line('jwt-sync-file')
  const verdicts: Verdict[] = []
  const versusFloor = (subject: DeliveryLine | undefined, target: string, measure: (subject: DeliveryLine, floor: DeliveryLine) => number, pass: (value: number) => boolean): void => {
    if (subject === undefined || floor === undefined) return void verdicts.push({ target, measured: 'not run', pass: false })
    if (!subject.lossless) return void verdicts.push({ target, measured: `not credited: ${subject.id} lost or duplicated items`, pass: false })
    const value = measure(subject, floor)
    verdicts.push({ target, measured: ratio(value), pass: pass(value) })
  }
  versusFloor(memory, 'jwt-sync memory storage >= 0.95x the raw floor (median items/s)', (s, f) => s.itemsPerSecond.median / f.itemsPerSecond.median, (v) => v >= 0.95)
  versusFloor(memory, 'jwt-sync memory storage CPU per delivered item <= 1.15x the floor\'s (compression off)', (s, f) => s.cpuMs.median / f.cpuMs.median, (v) => v <= 1.15)
  versusFloor(file, 'jwt-sync file storage + fdatasync >= 0.8x the raw floor (median items/s)', (s, f) => s.itemsPerSecond.median / f.itemsPerSecond.median, (v) => v >= 0.8)
  const perBatch = file?.fdatasyncsPerBatch
  const requests = file?.requests.median ?? 0
  // Every fdatasync of the run counts (items, acknowledgements, freezes, control state); the few
  // that do not belong to a batch (the state written at start, the last acknowledgement) are
  // allowed for, not per batch.
  verdicts.push({
    target: `jwt-sync file storage: at most one fdatasync per batch (every commit counted; ${FIXED_FDATASYNCS} for the start and the end of a run aside)`,
    measured: perBatch === undefined || perBatch === null ? 'not run' : `${perBatch.median.toFixed(3)} per batch (${Math.round(perBatch.median * requests)} for ${requests} batches)`,
    pass: perBatch !== undefined && perBatch !== null && perBatch.median * requests <= requests + FIXED_FDATASYNCS,
  })
  verdicts.push(
    gzip === undefined || memory === undefined
      ? { target: 'gzip request bodies <= 0.3x the uncompressed bytes (bench events)', measured: 'not run', pass: false }
      : { target: 'gzip request bodies <= 0.3x the uncompressed bytes (bench events)', measured: ratio(gzip.bytes.median / memory.bytes.median), pass: gzip.lossless && gzip.bytes.median / memory.bytes.median <= 0.3 },
  )
  const own = [memory, gzip, file].filter((subject): subject is DeliveryLine => subject !== undefined)
  verdicts.push({
    target: 'jwt-sync: no item lost or duplicated',
    measured: own.map((subject) => `${subject.id}: lost ${subject.lostTotal}, duplicated ${subject.duplicatedTotal}${subject.errors.length > 0 ? `, ${subject.errors.length} errors` : ''}`).join('; ') || 'not run',
    pass: own.length === 3 && own.every((subject) => subject.lossless),
  })
  return verdicts
}

/**
 * What gzip costs: the driver CPU with compression over the one without (medians), per request
 * and per item. A figure, not a target.
 *
 * @example
 * ```ts
 * console.log(compressionCost(lines)) // '+0.31 ms CPU per request (3 µs per item), 1.03x the CPU ...'
 * ```
 */
export const compressionCost = (lines: readonly DeliveryLine[]): string => {
  const plain = lines.find((line) => line.id === 'jwt-sync-memory')
  const gzip = lines.find((line) => line.id === 'jwt-sync-memory-gzip')
  if (plain === undefined || gzip === undefined) return 'not run'
  const extraMs = gzip.cpuMs.median - plain.cpuMs.median
  const items = gzip.itemsPerRun
  return `${extraMs >= 0 ? '+' : ''}${(extraMs / gzip.requests.median).toFixed(2)} ms CPU per request (${((extraMs * 1000) / items).toFixed(1)} µs per item), ${(gzip.cpuMs.median / plain.cpuMs.median).toFixed(2)}x the CPU without; items/s ${(gzip.itemsPerSecond.median / plain.itemsPerSecond.median).toFixed(2)}x; wire ${(gzip.bytes.median / 1024).toFixed(0)} KB vs ${(plain.bytes.median / 1024).toFixed(0)} KB`
}

/**
 * The bundle budgets of .size-limit.json as targets (built from `dist` as an app's bundler builds it).
 *
 * @example
 * ```ts
 * judgeBudgets(await measureBudgets(file, { resolveDir }))
 * ```
 */
export const judgeBudgets = (budgets: readonly BudgetResult[]): Verdict[] =>
  budgets.map((budget) => ({
    target: `${budget.name} <= ${(budget.targetBytes / 1024).toFixed(0)} KB gzipped`,
    measured: `${(budget.gzipBytes / 1024).toFixed(1)} KB (${(budget.gzipBytes / budget.targetBytes).toFixed(2)}x the target)${budget.commonJsModules.length > 0 ? `; CommonJS in the bundle: ${budget.commonJsModules.join(', ')}` : ''}`,
    pass: budget.gzipBytes <= budget.targetBytes && budget.commonJsModules.length === 0,
  }))
