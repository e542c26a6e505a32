import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createDemoCommand } from '../src/commands/demo.js'
import { runCli } from '../src/index.js'
import { captureIo } from './support/captureIo.js'

/** Debian's Chromium, never a test tool's own browser download (as adapter-storage's web tests). */
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
/** A whole JWT: three base64url parts, the first two JSON objects. */
const FULL_JWT = /eyJ[\w-]{6,}\.eyJ[\w-]{6,}\.[\w-]{20,}/

/**
 * The screenshots go to a temp folder; `pnpm --filter @jwt-sync/cli run screenshots` points
 * WATCH_SCREENSHOTS_DIR at docs/ to regenerate the README's pictures.
 */
const screenshotsTo = process.env['WATCH_SCREENSHOTS_DIR']
let shots: string
let browser: Browser

beforeAll(async () => {
  shots = screenshotsTo === undefined ? await mkdtemp(join(tmpdir(), 'jwt-sync-watch-')) : resolve(screenshotsTo)
  await mkdir(shots, { recursive: true })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
})
afterAll(async () => {
  await browser?.close()
  if (screenshotsTo === undefined && shots !== undefined) await rm(shots, { recursive: true, force: true })
})

/** The page's globals the test reads (the repo typechecks without the DOM lib). */
type PageDocument = { querySelector(selector: string): { getAttribute(name: string): string | null } | null }

/** How a drawn state is lit: 'active', 'left' (just left), 'off', or 'not drawn' when the chart has no such state. */
const highlightOf = (page: Page, stateId: string): Promise<string> =>
  page.evaluate((id) => {
    const drawn = (globalThis as unknown as { document: PageDocument }).document.querySelector(`svg g[data-state-id="${id}"]`)
    return drawn === null ? 'not drawn' : (drawn.getAttribute('data-highlight') ?? 'off')
  }, stateId)

/** The page's "Active states" panel, for failure messages. */
const activeList = (page: Page): Promise<string[]> =>
  page.$$eval('#active-states li', (items) => items.map((item) => item.getAttribute('data-state-id') ?? ''))

/** Asserts a state is lit as expected, waiting a little for the live stream. */
const expectLit = async (page: Page, stateId: string, allowed: readonly string[]): Promise<void> => {
  let seen = ''
  const until = Date.now() + 3000
  while (Date.now() < until) {
    seen = await highlightOf(page, stateId)
    if (allowed.includes(seen)) return
    await page.waitForTimeout(50)
  }
  expect.fail(`${stateId} is ${seen}, wanted ${allowed.join(' or ')}; active states on the page: ${(await activeList(page)).join(', ')}`)
}

/** Presses "Next" until the story waits before `chapter` (it waits before every chapter in step mode). */
const stepTo = async (page: Page, chapter: number): Promise<void> => {
  for (;;) {
    await page.waitForSelector('body[data-paused-before]', { timeout: 20_000 })
    const waitingBefore = Number(await page.getAttribute('body', 'data-paused-before'))
    if (waitingBefore === chapter) return
    if (waitingBefore > chapter) expect.fail(`the story is already before chapter ${waitingBefore}`)
    await page.click('#next')
    await page.waitForSelector(`body:not([data-paused-before="${waitingBefore}"])`)
  }
}

describe('jwt-sync demo --watch in Chromium', () => {
  it('S1, S2, S3: the page lights the awaiting-token state, the suspension and the logout deletion, live from the inspection stream', async () => {
    const { io, out, err, stop, waitForLine } = captureIo()
    const exit = runCli(['demo', '--watch', '--port', '0', '--step'], io, [createDemoCommand(() => ({ isTty: false, env: {} }))])
    try {
      const announced = await waitForLine(/^watch it live: open http:\/\/127\.0\.0\.1:\d+\/ /, 10_000)
      const url = /open (\S+)/.exec(announced)?.[1] ?? ''
      const page = await browser.newPage({ viewport: { width: 2400, height: 1300 } })
      const elsewhere: string[] = []
      page.on('request', (request) => {
        if (!request.url().startsWith(url)) elsewhere.push(request.url())
      })
      const pageErrors: string[] = []
      page.on('pageerror', (error) => pageErrors.push(error.message))
      // A deletion lasts milliseconds: its just-left mark must outlast the screenshot.
      await page.goto(`${url}?linger=5000`)
      await page.waitForSelector('body[data-chart="drawn"]', { timeout: 20_000 })

      // S1: the server refused alice's forged token; sync waits for a new one (R7).
      await stepTo(page, 5)
      await expectLit(page, 'jwtSync.running.sync.rest.awaitingToken', ['active'])
      await expectLit(page, 'jwtSync.running.auth.identified.tokenRefused', ['active'])
      expect(await page.textContent('#identifier')).toBe('alice')
      expect(await page.textContent('#tokens tr[data-identifier="alice"] td.status-rejected')).toBe('rejected')
      expect(await page.textContent('#pending-count')).toBe('2')
      await page.screenshot({ path: join(shots, 'watch-s1-awaiting-token.png'), fullPage: true })

      // S2: ten refusals in the session suspend sync until the next one (R8).
      await stepTo(page, 6)
      await expectLit(page, 'jwtSync.running.session.suspended', ['active'])
      await expectLit(page, 'jwtSync.running.sync.rest.suspended', ['active'])
      expect(await page.getAttribute('#suspended', 'data-suspended')).toBe('true')
      expect(await page.textContent('#failure-count')).toBe('10 of 10')
      await page.screenshot({ path: join(shots, 'watch-s2-suspended.png'), fullPage: true })

      // S3: the logout flush failed with a JWT error; alice's items were deleted (R11).
      await stepTo(page, 8)
      await expectLit(page, 'jwtSync.running.sync.logoutFlush.deleting', ['active', 'left'])
      expect(await page.$$eval('#trail li', (items) => items.map((item) => item.getAttribute('data-state-id')))).toContain('jwtSync.running.sync.logoutFlush.deleting')
      expect(await page.textContent('#identifier')).toBe('anonymous')
      await page.screenshot({ path: join(shots, 'watch-s3-deleting.png'), fullPage: true })

      await page.click('#next')
      await page.waitForSelector('body[data-ended]', { timeout: 20_000 })
      expect(await page.getAttribute('body', 'data-ended')).toBe('ok')
      // The request log and the trail are there; nothing on the page is a whole token (R18).
      expect(await page.$$eval('#requests li', (items) => items.length)).toBeGreaterThan(10)
      expect(await page.content()).not.toMatch(FULL_JWT)
      // Offline: the page, Mermaid and the event stream all came from the watch server.
      expect(elsewhere).toEqual([])
      expect(pageErrors).toEqual([])
      await page.close()
    } finally {
      stop()
      const code = await exit
      if (code !== 0) console.error([...out, ...err].join('\n'))
    }
    expect(await exit).toBe(0)
  }, 120_000)
})
