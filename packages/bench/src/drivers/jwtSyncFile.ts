// Driver: jwt-sync with file storage, every commit fsynced.
import { createFileStorage } from '@jwt-sync/adapter-storage'
import { runDriver } from '../driverHarness.js'
import { jwtSyncSubject } from './jwtSyncSubject.js'

await runDriver('jwt-sync', (config) => {
  if (config.directory === undefined) throw new Error('file driver needs a directory')
  return jwtSyncSubject(config, createFileStorage({ directory: config.directory, durability: 'fsync' }))
})
