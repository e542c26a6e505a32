import type { ChapterMark } from '../demo/story.js'

/**
 * How the story paces itself while someone watches: before each chapter it waits `paceMs`, or,
 * in step mode, until the page's "Next" button is pressed. "Next" also cuts a timed pause short.
 * `close` ends every wait for good (the command is stopping).
 *
 * @example
 * ```ts
 * const gate = createChapterGate({ paceMs: 1500, stepping: false, onPause, onResume })
 * await gate.beforeChapter({ index: 1, title: 'Anonymous events go without a token' })
 * ```
 */
export type ChapterGate = {
  readonly beforeChapter: (next: ChapterMark) => Promise<void>
  /** Ends the current pause (the page's "Next" button). */
  readonly next: () => void
  /** Step mode on: pauses last until `next`. Off: the current pause ends at once. */
  readonly setStepping: (stepping: boolean) => void
  readonly stepping: () => boolean
  readonly close: () => void
}

/**
 * Creates a gate. `onPause` is told which chapter comes next and until when (null: until
 * "Next"); `onResume` when the pause ends.
 *
 * @example
 * ```ts
 * const gate = createChapterGate({ paceMs: 0, stepping: true, onPause: (next) => console.log('waiting before', next.title), onResume: () => undefined })
 * setTimeout(gate.next, 1000)
 * await gate.beforeChapter({ index: 1, title: 'first' }) // resolves after about a second
 * ```
 */
export const createChapterGate = (options: {
  readonly paceMs: number
  readonly stepping: boolean
  readonly onPause: (next: ChapterMark, untilAt: number | null) => void
  readonly onResume: () => void
  readonly now?: () => number
}): ChapterGate => {
  const now = options.now ?? Date.now
  let stepping = options.stepping
  let closed = false
  let release: (() => void) | null = null

  const next = (): void => {
    const current = release
    release = null
    current?.()
  }
  return {
    beforeChapter: (mark) => {
      if (closed || (!stepping && options.paceMs === 0)) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const timer = stepping ? null : setTimeout(next, options.paceMs)
        release = () => {
          if (timer !== null) clearTimeout(timer)
          options.onResume()
          resolve()
        }
        options.onPause(mark, stepping ? null : now() + options.paceMs)
      })
    },
    next,
    setStepping: (on) => {
      stepping = on
      if (!on) next()
    },
    stepping: () => stepping,
    close: () => {
      closed = true
      next()
    },
  }
}
