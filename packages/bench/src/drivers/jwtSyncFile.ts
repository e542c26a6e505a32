// Driver: jwt-sync with file storage, every commit fsynced; counts the fdatasync calls.
import { createFileStorage } from '@jwt-sync/adapter-storage'
import { runDriver } from '../driverHarness.js'
import { countFdatasyncs } from '../fdatasyncCounter.js'
import { jwtSyncSubject } from './jwtSyncSubject.js'

await runDriver('jwt-sync', async (config) => {
  if (config.directory === undefined) throw new Error('file driver needs a directory')
  const fdatasyncs = await countFdatasyncs()
  const subject = await jwtSyncSubject(config, createFileStorage({ directory: config.directory, durability: 'fsync' }))
  return { ...subject, metrics: () => ({ fdatasyncs: fdatasyncs() }) }
})
