import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { bundle } from './bundle.js'

/** Debian's Chromium; never a test tool's own browser download. */
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
]

/**
 * A page harness bundled with esbuild, served from a loopback HTTP server and opened in real
 * Chromium with a fresh profile. `stop` closes the browser, the server and the temp files.
 *
 * @example
 * ```ts
 * const lab = await startChromiumHarness('/abs/path/pageHarness.ts')
 * const page = await lab.open('?noidb=1')
 * await lab.stop()
 * ```
 */
export type ChromiumHarness = {
  readonly open: (query?: string) => Promise<Page>
  readonly context: BrowserContext
  readonly stop: () => Promise<void>
}

/**
 * Starts the harness: bundle, loopback server, Chromium with a fresh profile.
 *
 * @example
 * ```ts
 * const lab = await startChromiumHarness(new URL('./web/pageHarness.ts', import.meta.url).pathname)
 * ```
 */
export const startChromiumHarness = async (entry: string): Promise<ChromiumHarness> => {
  const script = await bundle(entry, 'browser')
  const code = await readFile(script)
  const html = '<!doctype html><meta charset="utf-8"><title>jwt-sync storage harness</title><script type="module" src="/harness.js"></script>'
  const server: Server = createServer((request, response) => {
    if (request.url?.startsWith('/harness.js') === true) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(code)
    } else if (request.url === '/' || request.url?.startsWith('/?') === true) {
      response.writeHead(200, { 'content-type': 'text/html' }).end(html)
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const profile = await mkdtemp(join(tmpdir(), 'jwt-sync-chromium-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
  return {
    context,
    open: async (query = '') => {
      const page = await context.newPage()
      await page.goto(`${origin}/${query}`)
      await page.waitForFunction(() => 'harness' in globalThis)
      return page
    },
    stop: async () => {
      await context.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(profile, { recursive: true, force: true })
      await rm(join(script, '..'), { recursive: true, force: true })
    },
  }
}
