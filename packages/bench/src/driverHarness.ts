import * as E from 'fp-ts/lib/Either.js'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { DriverConfigCodec, type DriverConfig, type DriverResult } from './driverProtocol.js'
import type { PayloadFormat } from './payloadFormats.js'

/**
 * One SDK under test: created, fed N tracks, flushed until the sink has everything, closed.
 *
 * @example
 * ```ts
 * const subject: DriverSubject = { track: (seq) => client.track(...), flush: () => client.flush(), close: () => client.close() }
 * ```
 */
export type DriverSubject = {
  readonly track: (seq: number) => void
  readonly flush: () => Promise<void>
  readonly close: () => Promise<void>
  /** Extra figures the driver measured over the run (fdatasync calls). */
  readonly metrics?: () => { readonly fdatasyncs?: number }
}

/** Items tracked per event-loop turn: an app's events arrive over many turns, not in one. */
const TRACKS_PER_TURN = 100

/**
 * Flushing stops early when the sink gained nothing for this long although flush() kept
 * returning: what has not arrived by then was dropped by the SDK (it counts as lost).
 */
const STALL_MS = 5_000

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const sinkHolds = async (config: DriverConfig, format: PayloadFormat): Promise<number> => {
  const response = await fetch(`${config.sinkUrl}/stats/${format}`)
  const body = (await response.json()) as { distinctItems?: number }
  return body.distinctItems ?? 0
}

/**
 * Runs a driver process: decodes its config from stdin (so the token stays out of the process
 * list), times `create` + N tracks + flushes until
 * the sink holds N distinct items (or the deadline passes), and prints one JSON result line.
 *
 * @example
 * ```ts
 * await runDriver('segment', async (config) => { const client = new Analytics(...); return { track, flush, close } })
 * ```
 */
export const runDriver = async (format: PayloadFormat, create: (config: DriverConfig) => Promise<DriverSubject>): Promise<void> => {
  let input: unknown = null
  try {
    input = JSON.parse(await readStdin()) as unknown
  } catch {
    // Left as null: reported below.
  }
  const decoded = DriverConfigCodec.decode(input)
  if (E.isLeft(decoded)) {
    console.error('driver: bad config on stdin')
    process.exit(2)
  }
  const config = decoded.right
  const startCpu = process.cpuUsage()
  const started = performance.now()
  let flushes = 0
  let trackedMs = Number.NaN
  let complete = false
  let error: string | undefined
  try {
    const subject = await create(config)
    for (let seq = 0; seq < config.n; seq++) {
      subject.track(seq)
      if (seq % TRACKS_PER_TURN === TRACKS_PER_TURN - 1) await nextTurn()
    }
    trackedMs = performance.now() - started
    const deadline = started + config.deadlineMs
    let held = -1
    let lastGrowth = performance.now()
    while (performance.now() < deadline && performance.now() - lastGrowth < STALL_MS) {
      await subject.flush()
      flushes += 1
      const holds = await sinkHolds(config, format)
      if (holds >= config.n) {
        complete = true
        break
      }
      if (holds > held) {
        held = holds
        lastGrowth = performance.now()
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const wallMs = performance.now() - started
    const cpu = process.cpuUsage(startCpu)
    const result: DriverResult = {
      wallMs,
      trackedMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      complete,
      flushes,
      ...subject.metrics?.(),
    }
    await Promise.race([subject.close(), new Promise((resolve) => setTimeout(resolve, 2_000))])
    console.log(JSON.stringify(result))
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught)
    const cpu = process.cpuUsage(startCpu)
    const result: DriverResult = { wallMs: performance.now() - started, trackedMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssBytes: process.resourceUsage().maxRSS * 1024, complete: false, flushes, error }
    console.log(JSON.stringify(result))
  }
  // SDK timers must not keep a finished driver alive.
  process.exit(0)
}
