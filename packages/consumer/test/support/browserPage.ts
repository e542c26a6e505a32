import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'

/** Debian's Chromium; never a test tool's own browser download. */
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * Bundles `entry` for browsers with esbuild, resolving packages from `projectDirectory` (the
 * installed tarballs, not the workspace), serves it from a loopback page, opens the page in
 * Chromium, calls the global function `functionName` it defines with `input`, and returns what it
 * resolved to. Everything started here is stopped before it returns.
 *
 * @example
 * ```ts
 * const result = await runInChromium('/tmp/p', '/tmp/p/page.mjs', 'runScenario', { baseUrl, token })
 * ```
 */
export const runInChromium = async (projectDirectory: string, entry: string, functionName: string, input: unknown): Promise<unknown> => {
  const bundled = await build({
    entryPoints: [entry],
    absWorkingDir: projectDirectory,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  })
  const code = bundled.outputFiles[0]?.text ?? ''
  const html = '<!doctype html><meta charset="utf-8"><title>jwt-sync consumer page</title><script type="module" src="/page.js"></script>'
  const server: Server = createServer((request, response) => {
    if (request.url === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(code)
    else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(html)
    else response.writeHead(404).end()
  })
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen))
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
  try {
    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
    await page.waitForFunction((name) => name in globalThis, functionName, { timeout: 20_000 }).catch((error: unknown) => {
      throw new Error(`the page never defined ${functionName}: ${pageErrors.join('; ') || String(error)}`)
    })
    return await page.evaluate(
      ([name, argument]) => (globalThis as unknown as Record<string, (input: unknown) => Promise<unknown>>)[name as string]!(argument),
      [functionName, input] as const,
    )
  } finally {
    await browser.close()
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()))
  }
}
