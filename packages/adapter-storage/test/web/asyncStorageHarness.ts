/**
 * Runs in Chromium: the storage conformance scenarios against the key-value storage on the web
 * implementation of `@react-native-async-storage/async-storage` (v3: IndexedDB through `idb`),
 * a real AsyncStorage. Each scenario gets a database of its own; a relaunch is a new
 * AsyncStorage instance on the same database. Outcomes cross to vitest as JSON.
 */
// The workspace resolves the `source` export condition, which this package maps to its .tsx
// sources; esbuild bundles them, the type check (no JSX set up) cannot read them.
// @ts-expect-error -- see above; the one function used is typed below
import { createAsyncStorage as createAsyncStorageUntyped } from '@react-native-async-storage/async-storage'
import { runStorageScenario, storageScenarios, type ScenarioOutcome } from '../../../conformance/src/storageScenarios.js'
import type { KeyValueStore } from '../../src/keyValueStore.js'
import { createKeyValueStorage } from '../../src/keyValueStorage.js'

/** AsyncStorage v3: one instance per database name (IndexedDB on the web). */
const createAsyncStorage = createAsyncStorageUntyped as (databaseName: string) => KeyValueStore

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
