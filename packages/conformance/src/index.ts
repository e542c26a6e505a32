export {}
export { describeRemoteStorageConformance, describeStorageConformance } from './storageConformance.js'
export type { ScenarioOutcome, StorageFixture, StorageScenario } from './storageScenarios.js'
export { runStorageScenario, sampleItem, storageScenarios } from './storageScenarios.js'
export { describeTransportConformance } from './transportConformance.js'
