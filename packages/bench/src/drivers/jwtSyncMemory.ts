// Driver: jwt-sync with the in-memory storage.
import { createMemoryStorage } from '@jwt-sync/core'
import { runDriver } from '../driverHarness.js'
import { jwtSyncSubject } from './jwtSyncSubject.js'

await runDriver('jwt-sync', (config) => jwtSyncSubject(config, createMemoryStorage()))
