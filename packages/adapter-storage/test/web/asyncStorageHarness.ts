/**
 * Runs in Chromium: the storage conformance scenarios against the key-value storage on the web
 * implementation of `@react-native-async-storage/async-storage` (v3: IndexedDB through `idb`),
 * a real AsyncStorage. Each scenario gets a database of its own; a relaunch is a new
 * AsyncStorage instance on the same database. Outcomes cross to vitest as JSON.
 */
import { createAsyncStorage } from '@react-native-async-storage/async-storage'
import { runStorageScenario, storageScenarios, type ScenarioOutcome } from '../../../conformance/src/storageScenarios.js'
import { createKeyValueStorage } from '../../src/keyValueStorage.js'

const harness = {
  runScenario: (name: string): Promise<ScenarioOutcome> => {
    const scenario = storageScenarios.find((candidate) => candidate.name === name)
    if (scenario === undefined) return Promise.resolve({ error: `no scenario named ${name}` })
    const database = `conformance-${Math.random().toString(36).slice(2)}`
    // A small threshold, so that scenarios with acknowledgements compact too.
    return runStorageScenario(scenario, {
      create: async () => createKeyValueStorage({ store: createAsyncStorage(database), compactionThresholdChars: 2048 }),
      reopen: async () => createKeyValueStorage({ store: createAsyncStorage(database), compactionThresholdChars: 2048 }),
    })
  },
}

;(globalThis as { harness?: typeof harness }).harness = harness
