import { describe, expect, it } from 'vitest'
import { runStorageScenario, storageScenarios, type ScenarioOutcome, type StorageFixture } from './storageScenarios.js'

const assertOutcome = (outcome: ScenarioOutcome): void => {
  if ('error' in outcome) expect.fail(outcome.error)
  expect(outcome.observed).toEqual(outcome.expected)
}

/**
 * The storage port's conformance suite, for a driver that runs in this process. Every driver
 * (memory, file, web, a host bridge) must pass it.
 *
 * @example
 * ```ts
 * describeStorageConformance('memory', { create: async () => createMemoryStorage() })
 * ```
 */
export const describeStorageConformance = (name: string, fixture: StorageFixture): void => {
  describe(`storage conformance: ${name}`, () => {
    for (const scenario of storageScenarios) {
      it(scenario.name, async () => assertOutcome(await runStorageScenario(scenario, fixture)))
    }
  })
}

/**
 * The same suite for a driver that lives elsewhere (a browser page, a JavaScriptCore context):
 * `run` executes the named scenario there, with `runStorageScenario`, and returns its outcome as
 * JSON; the assertions run here.
 *
 * @example
 * ```ts
 * describeRemoteStorageConformance('web (Chromium)', (scenario) => page.evaluate((n) => window.runScenario(n), scenario))
 * ```
 */
export const describeRemoteStorageConformance = (name: string, run: (scenarioName: string) => Promise<ScenarioOutcome>): void => {
  describe(`storage conformance: ${name}`, () => {
    for (const scenario of storageScenarios) {
      it(scenario.name, async () => assertOutcome(await run(scenario.name)))
    }
  })
}
