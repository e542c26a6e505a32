import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { describeRemoteStorageConformance, type ScenarioOutcome } from '@jwt-sync/conformance'
import { startChromiumHarness, type ChromiumHarness } from './support/chromiumPage.js'

type Harness = Record<string, (...args: string[]) => Promise<unknown>>

let lab: ChromiumHarness
let indexedDbPage: Page
let fallbackPage: Page

beforeAll(async () => {
  lab = await startChromiumHarness(new URL('./web/pageHarness.ts', import.meta.url).pathname)
  indexedDbPage = await lab.open()
  fallbackPage = await lab.open('?noidb=1')
})
afterAll(async () => {
  await lab?.stop()
})

/** Calls a harness function in the page; its result crosses as JSON. */
const call = <A>(page: Page, name: string, ...args: string[]): Promise<A> =>
  page.evaluate(
    ([fn, rest]) => ((globalThis as unknown as { harness: Harness }).harness[fn as string]!(...(rest as string[])) as Promise<unknown>),
    [name, args] as const,
  ) as Promise<A>

const assertOutcome = (outcome: ScenarioOutcome): void => {
  if ('error' in outcome) expect.fail(outcome.error)
  expect(outcome.observed).toEqual(outcome.expected)
}

describeRemoteStorageConformance('web, IndexedDB in Chromium', (scenario) => call(indexedDbPage, 'runScenario', scenario))
describeRemoteStorageConformance('web, localStorage fallback (IndexedDB removed) in Chromium', (scenario) => call(fallbackPage, 'runScenario', scenario))

const backends: readonly { readonly backend: 'IndexedDB' | 'localStorage fallback'; readonly pageOf: () => Page }[] = [
  { backend: 'IndexedDB', pageOf: () => indexedDbPage },
  { backend: 'localStorage fallback', pageOf: () => fallbackPage },
]

for (const { backend, pageOf } of backends) describe(`web storage, ${backend}`, () => {
  it('uses the backend it should', async () => {
    expect(await call(pageOf(), 'backend')).toBe(backend === 'IndexedDB' ? 'indexedDB' : 'localStorage')
  })

  it('R13: what was committed before a page reload is there after it: pending items in order, state, dead letters', async () => {
    const page = pageOf()
    const prefix = `reload-${Math.random().toString(36).slice(2)}`
    assertOutcome(await call(page, 'writeBeforeReload', prefix))
    await page.reload()
    await page.waitForFunction(() => 'harness' in globalThis)
    assertOutcome(await call(page, 'readAfterReload', prefix))
  })

  it('damaged and future-version records are skipped and counted, their neighbours kept', async () => {
    assertOutcome(await call(pageOf(), 'damagedRecords'))
  })

  it('a second open of an open namespace is locked; another tab is locked too until the first closes', async () => {
    assertOutcome(await call(pageOf(), 'lockedTwice'))
    const prefix = `tabs-${Math.random().toString(36).slice(2)}`
    const first = pageOf()
    expect(await call(first, 'holdOpen', prefix)).toBe(true)
    const second = await lab.open(backend === 'IndexedDB' ? '' : '?noidb=1')
    expect(await call(second, 'tryOpen', prefix)).toBe('locked')
    await first.reload()
    await first.waitForFunction(() => 'harness' in globalThis)
    expect(await call(second, 'tryOpen', prefix)).toBe('opened')
    await second.close()
  })
})

it('quota: IndexedDB refusing a write (QuotaExceededError) is a quota failure value and loses nothing stored', async () => {
  assertOutcome(await call(indexedDbPage, 'indexedDbQuota'))
})

it('quota: an exhausted localStorage is a quota failure value and loses nothing stored', async () => {
  assertOutcome(await call(fallbackPage, 'localStorageQuota'))
})
