import { formatLogEntry, type RequestLogEntry } from '@jwt-sync/reference-server'
import type { DemoTerminal } from './terminal.js'

/**
 * Who a timeline line is about: the app (its code and its own server), the SDK (what the
 * listener hears, the state), the ingestion server (each request), the simulated clock, or the
 * demo checking itself.
 *
 * @example
 * ```ts
 * const lane: Lane = 'server'
 * ```
 */
export type Lane = 'app' | 'sdk' | 'server' | 'clock' | 'check'

/**
 * The timeline printer: numbered chapters, then one line per happening with the simulated time
 * since the start of the story and its lane.
 *
 * @example
 * ```ts
 * const timeline = createTimeline(terminal, () => clock.now())
 * timeline.chapter('Anonymous events')
 * timeline.say('app', 'track("App opened")')
 * ```
 */
export type Timeline = {
  readonly chapter: (title: string) => void
  readonly say: (lane: Lane, text: string) => void
  /** One server request log entry, coloured by its outcome. */
  readonly request: (entry: RequestLogEntry) => void
  readonly check: (passed: boolean, text: string) => void
  readonly terminal: DemoTerminal
}

const LANE_WIDTH = 6

/**
 * Simulated time since the story began, as +mm:ss (hours added when needed).
 *
 * @example
 * ```ts
 * formatElapsed(12 * 60_000) // '+12:00'
 * ```
 */
export const formatElapsed = (ms: number): string => {
  const total = Math.max(0, Math.floor(ms / 1000))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  const mmss = `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`
  return hours > 0 ? `+${hours}:${mmss}` : `+${mmss}`
}

/**
 * Creates the timeline printer on a terminal; `now` is the simulated clock and `startedAt` the
 * story's beginning on it.
 *
 * @example
 * ```ts
 * const timeline = createTimeline(terminal, clock.now, clock.now())
 * ```
 */
export const createTimeline = (terminal: DemoTerminal, now: () => number, startedAt: number): Timeline => {
  const style = terminal.style
  let chapters = 0
  const laneLabel: Record<Lane, string> = {
    app: style.blue('app'.padEnd(LANE_WIDTH)),
    sdk: style.magenta('sdk'.padEnd(LANE_WIDTH)),
    server: style.cyan('server'.padEnd(LANE_WIDTH)),
    clock: style.yellow('clock'.padEnd(LANE_WIDTH)),
    check: style.bold('check'.padEnd(LANE_WIDTH)),
  }
  const say = (lane: Lane, text: string): void => terminal.line(`  ${style.dim(formatElapsed(now() - startedAt).padStart(7))}  ${laneLabel[lane]} ${text}`)
  return {
    terminal,
    chapter: (title) => {
      chapters++
      terminal.line('')
      terminal.line(style.bold(`${chapters}. ${title}`))
    },
    say,
    request: (entry) => {
      // formatLogEntry shows tokens as their fingerprints only (R18).
      // Without the wall-clock time (the timeline has its own) and with long key ids (base64url) shortened.
      const text = formatLogEntry(entry)
        .replace(/^\S+ /, '')
        .replace(/\b(?=[\w-]*[a-z])([\w-]{8})[\w-]{24,}\b/g, '$1…')
      const colour = entry.status === 200 ? style.green : entry.status === 401 ? style.red : style.yellow
      say('server', colour(text))
    },
    check: (passed, text) => say('check', passed ? style.green(`✔ ${text}`) : style.red(`✘ ${text}`)),
  }
}
