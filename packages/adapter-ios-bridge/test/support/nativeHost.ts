import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const packageDir = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Builds the C host with native/build.sh. Throws with the compiler's own words when the compiler,
 * pkg-config, the JavaScriptCore headers, libcurl or zlib are missing: the test must fail, never skip.
 */
export const buildNativeHost = (): string => {
  try {
    return execFileSync('sh', [`${packageDir}native/build.sh`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop() ?? ''
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error)
    throw new Error(
      `could not build the native JavaScriptCore host (needs cc, pkg-config, libjavascriptcoregtk-4.0-dev, libcurl4-openssl-dev, zlib1g-dev):\n${stderr}`,
    )
  }
}

/** One step of a scenario for the C host (see native/host.c). */
export type ScenarioStep = { send: Record<string, unknown> } | { sleep: number } | { echo: string }

/** A parsed output line of the C host. */
export type HostLine = { readonly tag: string; readonly rest: string }

/** Runs the host on a scenario and returns its output lines; rejects if it runs over `timeoutMs`. */
export const runNativeHost = (hostPath: string, bundlePath: string, storageDir: string, steps: readonly ScenarioStep[], timeoutMs = 30_000): Promise<{ lines: HostLine[]; raw: string; code: number | null }> =>
  new Promise((resolve, reject) => {
    const child = spawn(hostPath, [bundlePath, storageDir], { stdio: ['pipe', 'pipe', 'pipe'] })
    let raw = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`native host ran over ${timeoutMs} ms; output so far:\n${raw}\n${stderr}`))
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      const lines = raw
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => {
          const space = line.indexOf(' ')
          return space < 0 ? { tag: line, rest: '' } : { tag: line.slice(0, space), rest: line.slice(space + 1) }
        })
      resolve({ lines, raw: raw + stderr, code })
    })
    child.stdin.end(steps.map((step) => JSON.stringify(step)).join('\n') + '\n')
  })

/** The lines between two ECHO markers (exclusive). */
export const between = (lines: readonly HostLine[], from: string, to: string): HostLine[] => {
  const start = lines.findIndex((l) => l.tag === 'ECHO' && l.rest === from)
  const end = lines.findIndex((l, i) => i > start && l.tag === 'ECHO' && l.rest === to)
  if (start < 0 || end < 0) throw new Error(`markers ${from} / ${to} not found`)
  return lines.slice(start + 1, end)
}

/** The answer (result or error message) to a call id. */
export const answerOf = (lines: readonly HostLine[], id: string): { kind: string; value?: unknown; error?: { code: string } } => {
  for (const line of lines) {
    if (line.tag !== 'ANSWER') continue
    const message = JSON.parse(line.rest) as { id: string | null; kind: string; value?: unknown; error?: { code: string } }
    if (message.id === id) return message
  }
  throw new Error(`no answer to ${id}`)
}

export const authErrorsIn = (lines: readonly HostLine[]): { source: string; details: { code: string; token?: string; identifier?: string; deletedCount?: number } }[] =>
  lines.filter((l) => l.tag === 'AUTH_ERROR').map((l) => JSON.parse(l.rest))

export const httpStatusesIn = (lines: readonly HostLine[]): string[] => lines.filter((l) => l.tag === 'HTTP').map((l) => l.rest.split(' ')[0] ?? '')
