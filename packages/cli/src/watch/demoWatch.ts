import { describeSyncMachine, statechartToMermaid } from '@jwt-sync/core/statechart'
import type { SdkPorts } from '@jwt-sync/core'
import type { DemoOptions, DemoResult, StoryObserver } from '../demo/story.js'
import { indexStatechart } from './activeStates.js'
import { createChapterGate } from './chapterGate.js'
import { startWatchServer, type WatchServer } from './server.js'
import { createWatchHub, type WatchHub } from './watchHub.js'

/**
 * The SDK's `inspect` port in its function form.
 *
 * @example
 * ```ts
 * const inspect: InspectFunction = (event) => console.log(event.type)
 * ```
 */
export type InspectFunction = Extract<NonNullable<SdkPorts['inspect']>, (event: never) => void>

/**
 * `jwt-sync demo --watch` put together: the hub fed by the SDK's inspection stream and the
 * story, the chapter gate that paces the story, and the page's server. `storyOptions` go to
 * `runDemoStory`; `line` takes each timeline line; `finished` tells the page the outcome.
 *
 * @example
 * ```ts
 * const watch = await startDemoWatch({ port: 0, paceMs: 1500, stepping: false })
 * await watch.server.firstViewer(signal)
 * const result = await runDemoStory({ terminal, ...watch.storyOptions })
 * watch.finished(result)
 * await watch.server.stop()
 * ```
 */
export type DemoWatch = {
  readonly hub: WatchHub
  readonly server: WatchServer
  readonly storyOptions: {
    readonly inspect: InspectFunction
    readonly observer: StoryObserver
    readonly beforeChapter: NonNullable<DemoOptions['beforeChapter']>
  }
  readonly line: (text: string) => void
  readonly finished: (result: DemoResult | null) => void
  /** Ends the current pause and every later one (Ctrl+C: the story then runs out at full speed). */
  readonly stopPacing: () => void
}

/**
 * Starts the watch page's server for the demo story, the statechart read from the core's
 * machine definition (the `diagram` command's Mermaid text).
 *
 * @example
 * ```ts
 * const watch = await startDemoWatch({ port: 0, paceMs: 1500, stepping: false })
 * console.log(`watch it live at ${watch.server.url}`)
 * ```
 */
export const startDemoWatch = async (options: { readonly port: number; readonly paceMs: number; readonly stepping: boolean }): Promise<DemoWatch> => {
  const machine = describeSyncMachine()
  const hub = createWatchHub({ index: indexStatechart(machine.root), chart: statechartToMermaid(machine) })
  const gate = createChapterGate({
    paceMs: options.paceMs,
    stepping: options.stepping,
    onPause: (next, untilAt) => hub.publish({ type: 'pause', next, untilAt }),
    onResume: () => hub.publish({ type: 'resume' }),
  })
  const server = await startWatchServer({ hub, gate, port: options.port })
  return {
    hub,
    server,
    storyOptions: {
      inspect: (event) => hub.inspect(event),
      observer: {
        sdkCreated: hub.sdkCreated,
        chapter: (mark) => hub.publish({ type: 'chapter', ...mark }),
        request: hub.request,
      },
      beforeChapter: gate.beforeChapter,
    },
    line: hub.line,
    stopPacing: gate.close,
    finished: (result) => {
      const failed = result === null ? 1 : result.checks.filter((check) => !check.passed).length
      hub.publish({ type: 'end', ok: result?.ok === true, passed: result === null ? 0 : result.checks.length - failed, failed })
    },
  }
}
