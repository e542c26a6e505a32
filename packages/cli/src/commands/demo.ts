import * as E from 'fp-ts/lib/Either.js'
import { integerOption, parseArguments, stringOption } from '../arguments.js'
import { EXIT, type Command, usageError } from '../command.js'
import type { DemoInspector } from '../demo/inspector.js'
import { runDemoStory, type DemoOptions } from '../demo/story.js'
import { colorsWanted, createDemoTerminal } from '../demo/terminal.js'
import type { DemoWatch, InspectFunction } from '../watch/demoWatch.js'

/** `createWebSocketInspector`'s default URL (kept here so --help needs no WebSocket code). */
const DEFAULT_INSPECTOR_URL = 'ws://localhost:8080'
/** In watch mode the story waits this long before each chapter unless --pace says otherwise. */
const WATCH_PACE_MS = 1500

const USAGE = `Usage: jwt-sync demo [options]

Play the whole jwt-sync story end to end: a reference server on loopback with a fresh RSA key
pair, the real SDK over fetch, and an "app server" issuing real RS256 tokens. Simulated time
(a manual clock shared by SDK, server and tokens) lets minutes pass in an instant.

  anonymous events -> login and a token -> the token expires (client check) and the listener
  fetches a new one -> a forged token is refused (INVALID_SIGNATURE), sync pauses -> ten refusals
  suspend sync -> the next session resumes -> logout whose flush fails deletes the user's items

The demo checks itself: exit 0 when every expected step happened, 1 otherwise.

Options:
  --watch                serve a page that shows the statechart live (Mermaid, active states
                         lit, a trail of every state entered), the identity, token fingerprints,
                         the auth-failure counter, pending and dead-letter counts and the
                         request log, on loopback; the story starts when the page is open and
                         pauses ${WATCH_PACE_MS} ms before each chapter; Ctrl+C ends it
  --port N               the watch page's port (default: any free port, printed)
  --step                 with --watch: wait at each chapter until "Next" is pressed on the page
  --inspect              stream the SDK's statechart to the XState inspector over WebSocket
                         (${DEFAULT_INSPECTOR_URL}; tokens shown as fingerprints)
  --inspect-url URL      the inspector's WebSocket URL (implies --inspect). To watch in the
                         Stately inspector UI, run its bridge first (it listens on 8080 and
                         opens the browser): createInspectorServer() from
                         '@statelyai/inspect/server'; add --pace 1500 to follow along
  --pace MS              pause MS milliseconds of real time before each chapter (default 0,
                         ${WATCH_PACE_MS} with --watch), e.g. --pace 1500 to follow along in the inspector
  --no-color             plain output (also: NO_COLOR=1, or output not a terminal)
  -h, --help             show this help`

const OPTIONS = {
  watch: { type: 'boolean' },
  port: { type: 'string' },
  step: { type: 'boolean' },
  inspect: { type: 'boolean' },
  'inspect-url': { type: 'string' },
  'no-color': { type: 'boolean' },
  pace: { type: 'string' },
} as const

/**
 * What the demo learns about its surroundings: whether stdout is a terminal (colours, spinner),
 * the environment (NO_COLOR), and a raw writer for the spinner.
 *
 * @example
 * ```ts
 * const environment: DemoEnvironment = { isTty: false, env: {} }
 * ```
 */
export type DemoEnvironment = {
  readonly isTty: boolean
  readonly env: Readonly<Record<string, string | undefined>>
  readonly rawWrite?: (chunk: string) => void
}

const processEnvironment = (): DemoEnvironment => ({
  isTty: process.stdout.isTTY === true,
  env: process.env,
  rawWrite: (chunk) => process.stdout.write(chunk),
})

/** Both the Stately inspector and the watch page get every inspection event. */
const combineInspectPorts = (first: NonNullable<DemoOptions['inspect']>, second: InspectFunction): InspectFunction => {
  const toFirst: InspectFunction = typeof first === 'function' ? first : (event) => first.next?.(event)
  return (event) => {
    toFirst(event)
    second(event)
  }
}

/**
 * Builds the `demo` command for an environment (tests pass a fixed one; the CLI uses the process).
 *
 * @example
 * ```ts
 * const code = await createDemoCommand({ isTty: false, env: {} }).run([], io)
 * ```
 */
export const createDemoCommand = (environment: () => DemoEnvironment = processEnvironment): Command => ({
  name: 'demo',
  summary: 'play the whole story end to end against a local reference server (self-checking)',
  usage: USAGE,
  run: async (args, io) => {
    const parsed = parseArguments(args, OPTIONS)
    if (E.isLeft(parsed)) return usageError(io, 'demo', `${parsed.left} (see jwt-sync demo --help)`)
    const watching = parsed.right.values['watch'] === true
    if (!watching && (parsed.right.values['port'] !== undefined || parsed.right.values['step'] === true)) {
      return usageError(io, 'demo', '--port and --step go with --watch (see jwt-sync demo --help)')
    }
    const pace = integerOption(parsed.right.values, 'pace', watching ? WATCH_PACE_MS : 0, 60_000)
    if (E.isLeft(pace)) return usageError(io, 'demo', pace.left)
    const port = integerOption(parsed.right.values, 'port', 0, 65_535)
    if (E.isLeft(port)) return usageError(io, 'demo', port.left)
    const surroundings = environment()
    const colors = parsed.right.values['no-color'] !== true && colorsWanted(surroundings)
    let watch: DemoWatch | null = null
    const terminal = createDemoTerminal({
      writeLine: (line) => {
        io.stdout(line)
        watch?.line(line)
      },
      rawWrite: surroundings.isTty ? surroundings.rawWrite : undefined,
      colors,
    })
    const inspectUrl = stringOption(parsed.right.values, 'inspect-url') ?? (parsed.right.values['inspect'] === true ? DEFAULT_INSPECTOR_URL : undefined)
    let inspector: E.Either<string, DemoInspector> | null = null
    if (inspectUrl !== undefined) {
      // Loaded only when asked for: the WebSocket client is CommonJS and stays out of plain runs.
      const { connectInspector } = await import('../demo/inspector.js')
      inspector = await connectInspector(inspectUrl, 3000)
      if (E.isLeft(inspector)) {
        io.stderr(`jwt-sync demo: ${inspector.left} (start the Stately inspector or another WebSocket receiver there)`)
        return EXIT.failure
      }
      io.stdout(terminal.style.dim(`streaming the statechart to the inspector at ${inspectUrl}`))
    }
    try {
      const toInspector = inspector !== null && E.isRight(inspector) ? inspector.right.inspect : undefined
      let options: DemoOptions = { terminal, paceMs: pace.right, ...(toInspector !== undefined ? { inspect: toInspector } : {}) }
      if (watching) {
        // Loaded only when asked for, like the inspector: plain runs need no HTTP server.
        const { startDemoWatch } = await import('../watch/demoWatch.js')
        try {
          watch = await startDemoWatch({ port: port.right, paceMs: pace.right, stepping: parsed.right.values['step'] === true })
        } catch (error) {
          io.stderr(`jwt-sync demo: cannot serve the watch page on port ${port.right}: ${error instanceof Error ? error.message : String(error)}`)
          return EXIT.failure
        }
        io.stdout(`watch it live: open ${watch.server.url} in a browser; the story starts when the page is open (Ctrl+C stops)`)
        if (!(await watch.server.firstViewer(io.stopSignal))) {
          io.stderr('jwt-sync demo: stopped before the page was opened')
          return EXIT.failure
        }
        // Ctrl+C during the story: no more pauses, so it runs out in a moment and cleans up.
        const stopPacing = watch.stopPacing
        io.stopSignal.addEventListener('abort', () => stopPacing(), { once: true })
        const toWatch = watch.storyOptions
        const both = toInspector === undefined ? toWatch.inspect : combineInspectPorts(toInspector, toWatch.inspect)
        options = { ...options, ...toWatch, inspect: both }
      }
      const result = await runDemoStory(options)
      watch?.finished(E.isRight(result) ? result.right : null)
      if (E.isLeft(result)) io.stderr(`jwt-sync demo: ${result.left}`)
      if (watch !== null) {
        io.stdout(terminal.style.dim(`the story is over; the page stays at ${watch.server.url} until Ctrl+C`))
        await new Promise<void>((resolve) => (io.stopSignal.aborted ? resolve() : io.stopSignal.addEventListener('abort', () => resolve(), { once: true })))
      }
      return E.isRight(result) && result.right.ok ? EXIT.ok : EXIT.failure
    } finally {
      await watch?.server.stop()
      if (inspector !== null && E.isRight(inspector)) await inspector.right.stop()
    }
  },
})

/**
 * `jwt-sync demo`: the README's main command.
 *
 * @example
 * ```ts
 * await runCli(['demo'], processIo(), [demoCommand])
 * ```
 */
export const demoCommand: Command = createDemoCommand()
