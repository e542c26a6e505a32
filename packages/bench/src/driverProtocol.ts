import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

/**
 * What the orchestrator passes a driver process (one JSON document on stdin).
 *
 * @example
 * ```ts
 * spawn(process.execPath, [driverFile]).stdin.end(JSON.stringify({ sinkUrl, n: 20000, batchSize: 100, deadlineMs: 120000 }))
 * ```
 */
export const DriverConfigCodec = t.intersection([
  t.type({
    sinkUrl: t.string,
    n: t.number,
    /** `null`: the SDK's own default batching. */
    batchSize: t.union([t.number, t.null]),
    /** Give up flushing after this long (or after 5 s without progress); what has not arrived is lost. */
    deadlineMs: t.number,
  }),
  t.partial({
    token: t.string,
    directory: t.string,
    /** jwt-sync's `networkConfig.compression` (R20); the bench's own subjects set it. */
    compression: t.union([t.literal('gzip'), t.literal('none')]),
  }),
])

/**
 * A decoded driver config.
 *
 * @example
 * ```ts
 * const config: DriverConfig = { sinkUrl: 'http://127.0.0.1:1', n: 10, batchSize: null, deadlineMs: 1000 }
 * ```
 */
export type DriverConfig = t.TypeOf<typeof DriverConfigCodec>

/**
 * The one JSON line a driver prints on stdout.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(result))
 * ```
 */
export const DriverResultCodec = t.intersection([
  t.type({
    /** From before the SDK is created to the moment the sink holds all N (or the deadline). */
    wallMs: t.number,
    /** From the same start until the last track() call returned (what the app waits for). */
    trackedMs: t.number,
    /** process.cpuUsage() over the same span, user + system. */
    cpuMs: t.number,
    /** process.resourceUsage().maxRSS of the whole driver process, in bytes. */
    peakRssBytes: t.number,
    /** Whether the sink held all N items before the deadline. */
    complete: t.boolean,
    /** flush() calls made. */
    flushes: t.number,
  }),
  t.partial({
    error: t.string,
    /** fdatasync calls the driver process made over the same span (file storage only). */
    fdatasyncs: t.number,
  }),
])

/**
 * A decoded driver result.
 *
 * @example
 * ```ts
 * const result: DriverResult = { wallMs: 812, trackedMs: 95, cpuMs: 901, peakRssBytes: 6e7, complete: true, flushes: 1 }
 * ```
 */
export type DriverResult = t.TypeOf<typeof DriverResultCodec>

/**
 * Finds and decodes the result line in a driver's stdout (the last line that decodes).
 *
 * @example
 * ```ts
 * const result = parseDriverOutput(stdout)
 * ```
 */
export const parseDriverOutput = (stdout: string): E.Either<string, DriverResult> => {
  const lines = stdout.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('{'))
  for (const line of lines.reverse()) {
    try {
      const decoded = DriverResultCodec.decode(JSON.parse(line) as unknown)
      if (E.isRight(decoded)) return decoded
    } catch {
      // Not JSON: an SDK's own log line.
    }
  }
  return E.left('no result line on stdout')
}
