import { afterAll, beforeAll } from 'vitest'
import type { Page } from 'playwright-core'
import { describeRemoteStorageConformance, type ScenarioOutcome } from '@jwt-sync/conformance'
import { startChromiumHarness, type ChromiumHarness } from './support/chromiumPage.js'

// The key-value storage on a real AsyncStorage: the web implementation of
// @react-native-async-storage/async-storage (IndexedDB) in Debian's Chromium.

let lab: ChromiumHarness
let page: Page

beforeAll(async () => {
  lab = await startChromiumHarness(new URL('./web/asyncStorageHarness.ts', import.meta.url).pathname)
  page = await lab.open()
})
afterAll(async () => {
  await lab?.stop()
})

describeRemoteStorageConformance('key-value on AsyncStorage (web implementation, IndexedDB) in Chromium', (scenario) =>
  page.evaluate((name) => (globalThis as unknown as { harness: { runScenario: (n: string) => Promise<ScenarioOutcome> } }).harness.runScenario(name), scenario),
)
