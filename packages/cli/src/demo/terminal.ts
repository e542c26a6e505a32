/**
 * The colours the demo timeline uses. Each one wraps text in an ANSI SGR sequence, or returns it
 * unchanged when colours are off.
 *
 * @example
 * ```ts
 * const style = createStyle(true)
 * style.green('✔ delivered') // '\u001b[32m✔ delivered\u001b[39m'
 * ```
 */
export type Style = {
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly red: (text: string) => string
  readonly green: (text: string) => string
  readonly yellow: (text: string) => string
  readonly blue: (text: string) => string
  readonly magenta: (text: string) => string
  readonly cyan: (text: string) => string
}

const sgr = (enabled: boolean, open: number, close: number) => (text: string): string => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text)

/**
 * ANSI styling, or none.
 *
 * @example
 * ```ts
 * createStyle(false).red('x') // 'x'
 * ```
 */
export const createStyle = (enabled: boolean): Style => ({
  bold: sgr(enabled, 1, 22),
  dim: sgr(enabled, 2, 22),
  red: sgr(enabled, 31, 39),
  green: sgr(enabled, 32, 39),
  yellow: sgr(enabled, 33, 39),
  blue: sgr(enabled, 34, 39),
  magenta: sgr(enabled, 35, 39),
  cyan: sgr(enabled, 36, 39),
})

/**
 * Colours follow the no-color.org convention: off when `NO_COLOR` is set to anything non-empty,
 * and off when the output is not a terminal (a pipe or a file gets plain text).
 *
 * @example
 * ```ts
 * colorsWanted({ isTty: process.stdout.isTTY === true, env: process.env }) // true in a terminal
 * ```
 */
export const colorsWanted = (options: { readonly isTty: boolean; readonly env: Readonly<Record<string, string | undefined>> }): boolean =>
  options.isTty && (options.env['NO_COLOR'] ?? '') === ''

/**
 * A long step in progress; `stop()` removes its spinner.
 *
 * @example
 * ```ts
 * const progress = terminal.startProgress('waiting for sync to resume'); await resumed; progress.stop()
 * ```
 */
export type Progress = { readonly stop: () => void }

/**
 * Where the demo writes: whole lines, its styling, and a spinner for long steps (drawn only on a
 * terminal; elsewhere a long step shows nothing until its result line).
 *
 * @example
 * ```ts
 * const terminal = createDemoTerminal({ writeLine: console.log, colors: false })
 * terminal.line(terminal.style.bold('jwt-sync demo'))
 * ```
 */
export type DemoTerminal = {
  readonly line: (text: string) => void
  readonly style: Style
  readonly startProgress: (label: string) => Progress
}

const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const CLEAR_LINE = '\r\u001b[2K'

/**
 * Builds the demo's terminal. `rawWrite` (a TTY's write, no newline added) enables the spinner;
 * every line written clears the spinner first and redraws it after, so they never mix.
 *
 * @example
 * ```ts
 * const terminal = createDemoTerminal({
 *   writeLine: (line) => process.stdout.write(`${line}\n`),
 *   rawWrite: process.stdout.isTTY ? (chunk) => process.stdout.write(chunk) : undefined,
 *   colors: colorsWanted({ isTty: process.stdout.isTTY === true, env: process.env }),
 * })
 * ```
 */
export const createDemoTerminal = (options: {
  readonly writeLine: (line: string) => void
  readonly rawWrite?: ((chunk: string) => void) | undefined
  readonly colors: boolean
}): DemoTerminal => {
  const style = createStyle(options.colors)
  const raw = options.rawWrite
  let spinning: { label: string; frame: number; timer: ReturnType<typeof setInterval> } | null = null
  const draw = (): void => {
    if (raw === undefined || spinning === null) return
    const frame = SPINNER_FRAMES[spinning.frame % SPINNER_FRAMES.length] ?? '*'
    raw(`${CLEAR_LINE}${style.cyan(frame)} ${style.dim(spinning.label)}`)
  }
  const clear = (): void => {
    if (raw !== undefined && spinning !== null) raw(CLEAR_LINE)
  }
  return {
    style,
    line: (text) => {
      clear()
      options.writeLine(text)
      draw()
    },
    startProgress: (label) => {
      if (raw === undefined) return { stop: () => undefined }
      if (spinning !== null) clearInterval(spinning.timer)
      const current = {
        label,
        frame: 0,
        timer: setInterval(() => {
          current.frame++
          draw()
        }, 80),
      }
      // The spinner must never keep the process alive on its own.
      current.timer.unref()
      spinning = current
      draw()
      return {
        stop: () => {
          if (spinning !== current) return
          clearInterval(current.timer)
          clear()
          spinning = null
        },
      }
    },
  }
}
