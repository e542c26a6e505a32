import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeStorageConformance } from '@jwt-sync/conformance'
import { createFileStorage, createMemoryStorage } from '../src/index.js'

describeStorageConformance('memory (core)', { create: async () => createMemoryStorage() })

const directories: string[] = []
const fileFixture = (options: { compactionThresholdBytes?: number; durability?: 'fsync' | 'os' }) => {
  let directory = ''
  return {
    create: async () => {
      directory = await mkdtemp(join(tmpdir(), 'jwt-sync-file-'))
      directories.push(directory)
      return createFileStorage({ directory, ...options })
    },
    reopen: async () => createFileStorage({ directory, ...options }),
    // Every byte of every file the driver keeps, as text (records are UTF-8 JSON in binary frames).
    atRest: async () => {
      const names = await readdir(directory)
      const contents = await Promise.all(names.map((name) => readFile(join(directory, name), 'latin1')))
      return contents.join('\n')
    },
    cleanup: async () => {
      for (const dir of directories.splice(0)) await rm(dir, { recursive: true, force: true })
    },
  }
}

describeStorageConformance('file (fsync)', fileFixture({}))
// A tiny threshold makes every scenario compact many times, so compaction keeps the contract too.
describeStorageConformance('file (os durability, constant compaction)', fileFixture({ durability: 'os', compactionThresholdBytes: 512 }))
