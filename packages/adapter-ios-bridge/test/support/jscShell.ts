import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const CANDIDATES = ['/usr/bin/jsc', '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/jsc', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.0/jsc']

/**
 * The path of the `jsc` shell (Debian: libjavascriptcoregtk-4.0-bin). Throws a clear error when it
 * is missing: the JavaScriptCore tests must fail, never skip.
 */
export const findJsc = (): string => {
  for (const path of CANDIDATES) if (existsSync(path)) return path
  try {
    const listed = execFileSync('dpkg', ['-L', 'libjavascriptcoregtk-4.0-bin'], { encoding: 'utf8' })
    const found = listed.split('\n').find((line) => /\/jsc$/.test(line) && existsSync(line))
    if (found !== undefined) return found
  } catch {
    // dpkg missing or package not installed: reported below.
  }
  throw new Error('the jsc shell is missing: apt-get install -y libjavascriptcoregtk-4.0-bin')
}
