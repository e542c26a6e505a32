import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { parseDriverOutput, type DriverConfig } from './driverProtocol.js'
import type { DeliverySubject } from './deliverySubjects.js'
import type { Sink } from './sink.js'

/**
 * One driver run as the report keeps it: the driver's own figures and the sink's count.
 *
 * @example
 * ```ts
 * const lossless = run.lost === 0 && run.duplicated === 0
 * ```
 */
export type DeliveryRun = {
  readonly subject: string
  readonly round: number
  readonly wallMs: number
  /** Until the last track() returned. */
  readonly trackedMs: number
  readonly itemsPerSecond: number
  readonly cpuMs: number
  readonly peakRssBytes: number
  readonly requests: number
  readonly bytes: number
  /** N minus the distinct items the sink holds. */
  readonly lost: number
  /** Items stored twice under different message ids (a de-duplicating server keeps both). */
  readonly duplicated: number
  /** Items sent again under the same message id (de-duplicated away). */
  readonly retransmitted: number
  readonly authorizedRequests: number
  readonly complete: boolean
  /** fdatasync calls of the driver process, where it counts them. */
  readonly fdatasyncs?: number
  readonly error?: string
}

/**
 * Runs one driver process against the sink (reset first) and reads back what arrived.
 *
 * @example
 * ```ts
 * const run = await runDelivery({ subject, round: 1, sink, n: 20000, driverDir, token })
 * ```
 */
export const runDelivery = async (options: {
  readonly subject: DeliverySubject
  readonly round: number
  readonly sink: Sink
  readonly n: number
  readonly driverDir: string
  readonly token: string
  readonly deadlineMs: number
  /** Where the driver writes a V8 CPU profile (`node --cpu-prof`); none when absent. */
  readonly profileDir?: string
}): Promise<DeliveryRun> => {
  const { subject, sink, n } = options
  sink.reset()
  const directory = mkdtempSync(join(tmpdir(), 'jwt-sync-bench-file-'))
  const config: DriverConfig = {
    sinkUrl: sink.url,
    n,
    batchSize: subject.batchSize,
    deadlineMs: options.deadlineMs,
    token: options.token,
    directory,
    ...(subject.compression === undefined ? {} : { compression: subject.compression }),
  }
  // The config (with the token) goes over stdin, not argv: argv shows in every process listing (R18).
  const profiling = options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`]
  const child = spawn(process.execPath, [...profiling, join(options.driverDir, `${subject.driver}.mjs`)], { stdio: ['pipe', 'pipe', 'pipe'] })
  child.stdin.end(JSON.stringify(config))
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  // The driver stops itself at its deadline; this guards against one that hangs anyway.
  const killer = setTimeout(() => child.kill('SIGKILL'), options.deadlineMs + 30_000)
  await new Promise<void>((resolve) => child.on('exit', () => resolve()))
  clearTimeout(killer)
  rmSync(directory, { recursive: true, force: true })
  const stats = sink.stats(subject.format)
  const parsed = parseDriverOutput(stdout)
  const base = {
    subject: subject.id,
    round: options.round,
    requests: stats.requests,
    bytes: stats.bytes,
    lost: n - stats.distinctItems,
    duplicated: stats.uniqueMessages - stats.distinctItems,
    retransmitted: stats.received - stats.uniqueMessages,
    authorizedRequests: stats.authorizedRequests,
  }
  if (E.isLeft(parsed)) {
    return { ...base, wallMs: Number.NaN, trackedMs: Number.NaN, itemsPerSecond: 0, cpuMs: Number.NaN, peakRssBytes: Number.NaN, complete: false, error: `${parsed.left}: ${stderr.trim().slice(0, 300)}` }
  }
  const result = parsed.right
  return {
    ...base,
    wallMs: result.wallMs,
    trackedMs: result.trackedMs,
    itemsPerSecond: n / (result.wallMs / 1000),
    cpuMs: result.cpuMs,
    peakRssBytes: result.peakRssBytes,
    complete: result.complete,
    ...(result.fdatasyncs === undefined ? {} : { fdatasyncs: result.fdatasyncs }),
    ...(result.error === undefined ? {} : { error: result.error }),
  }
}
