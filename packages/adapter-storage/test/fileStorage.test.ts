import { execFileSync, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { IdentityKey, ItemId, StorageNamespace, StoredItem } from '@jwt-sync/core'
import { sampleItem } from '../../conformance/src/storageScenarios.js'
import { createFileStorage, type FileStorageOptions } from '../src/index.js'
import { encodeFrame } from '../src/recordFrame.js'
import { bundle } from './support/bundle.js'

const anon = 'anon' as IdentityKey
const batch = (from: number, to: number): StoredItem[] => {
  const out: StoredItem[] = []
  for (let n = from; n < to; n++) out.push(sampleItem(anon, n, 'file'))
  return out
}

const scratch: string[] = []
const freshDirectory = async (): Promise<string> => {
  const directory = await mkdtemp(join(tmpdir(), 'jwt-sync-filetest-'))
  scratch.push(directory)
  return directory
}
afterEach(async () => {
  for (const directory of scratch.splice(0)) {
    await chmod(directory, 0o700).catch(() => undefined)
    await rm(directory, { recursive: true, force: true })
  }
})

const openOrFail = async (options: FileStorageOptions, namespace = 'app'): Promise<StorageNamespace> => {
  const opened = await createFileStorage(options).open(namespace)()
  if (E.isLeft(opened)) return expect.fail(`open failed: ${opened.left.kind}: ${opened.left.message}`)
  return opened.right
}

const right = async <A>(task: () => Promise<E.Either<{ kind: string; message: string }, A>>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) return expect.fail(`${result.left.kind}: ${result.left.message}`)
  return result.right
}

/** Three commits of ten items each; returns the log's bytes and where each record starts. */
const threeRecordLog = async (directory: string): Promise<{ bytes: Buffer; starts: number[] }> => {
  const ns = await openOrFail({ directory })
  const starts: number[] = []
  for (let r = 0; r < 3; r++) {
    starts.push((await stat(join(directory, 'app.log')).catch(() => ({ size: 0 }))).size)
    await right(ns.commit({ append: batch(r * 10, r * 10 + 10) }))
  }
  await ns.close()
  return { bytes: await readFile(join(directory, 'app.log')), starts }
}

const reread = async (directory: string): Promise<{ ids: string[]; skipped: number }> => {
  const ns = await openOrFail({ directory })
  const snapshot = await right(ns.load())
  const items = await right(ns.peek(anon, 1000))
  await ns.close()
  return { ids: items.map((item) => item.id), skipped: snapshot.skippedRecords }
}
const idsOf = (items: readonly StoredItem[]): ItemId[] => items.map((item) => item.id)

describe('file storage: bad data on disk never throws and never costs the records around it', () => {
  it('R13: a torn tail (a crash mid-write) loses only the unfinished record, and later writes follow intact data', async () => {
    const directory = await freshDirectory()
    const { bytes, starts } = await threeRecordLog(directory)
    await writeFile(join(directory, 'app.log'), bytes.subarray(0, starts[2]! + 20))
    expect(await reread(directory)).toEqual({ ids: idsOf(batch(0, 20)), skipped: 0 })
    const ns = await openOrFail({ directory })
    await right(ns.commit({ append: batch(50, 55) }))
    await ns.close()
    expect(await reread(directory)).toEqual({ ids: idsOf([...batch(0, 20), ...batch(50, 55)]), skipped: 0 })
  })

  it('flipped bytes in a payload skip that one record and count it', async () => {
    const directory = await freshDirectory()
    const { bytes, starts } = await threeRecordLog(directory)
    const damaged = Buffer.from(bytes)
    damaged[starts[1]! + 40] = damaged[starts[1]! + 40]! ^ 0x5a
    await writeFile(join(directory, 'app.log'), damaged)
    expect(await reread(directory)).toEqual({ ids: idsOf([...batch(0, 10), ...batch(20, 30)]), skipped: 1 })
  })

  it('a damaged length field does not lose the records after it (the reader resynchronises)', async () => {
    const directory = await freshDirectory()
    const { bytes, starts } = await threeRecordLog(directory)
    const damaged = Buffer.from(bytes)
    damaged.writeUInt32LE(0x7fffffff, starts[1]! + 3)
    await writeFile(join(directory, 'app.log'), damaged)
    expect(await reread(directory)).toEqual({ ids: idsOf([...batch(0, 10), ...batch(20, 30)]), skipped: 1 })
  })

  it('random garbage in the middle and at the end: intact records survive, nothing throws', async () => {
    const directory = await freshDirectory()
    const { bytes, starts } = await threeRecordLog(directory)
    const garbage = Buffer.from([0xff, 0xa5, 0x01, 0x10, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9])
    await writeFile(join(directory, 'app.log'), Buffer.concat([bytes.subarray(0, starts[1]), garbage, bytes.subarray(starts[1]), garbage]))
    // The trailing garbage reads as an unfinished record (its length runs past the end): a torn
    // tail, dropped without counting, like the remains of a crash mid-write.
    expect(await reread(directory)).toEqual({ ids: idsOf(batch(0, 30)), skipped: 1 })
  })

  it('a record of a future format version is skipped and counted; its neighbours load', async () => {
    const directory = await freshDirectory()
    const { bytes, starts } = await threeRecordLog(directory)
    const future = encodeFrame(2, Buffer.from(JSON.stringify({ a: batch(100, 103), newField: true })))
    await writeFile(join(directory, 'app.log'), Buffer.concat([bytes.subarray(0, starts[1]), future, bytes.subarray(starts[1])]))
    expect(await reread(directory)).toEqual({ ids: idsOf(batch(0, 30)), skipped: 1 })
  })

  it('an intact record with malformed content is skipped; an item with malformed attributes is dropped when read', async () => {
    const directory = await freshDirectory()
    const { bytes } = await threeRecordLog(directory)
    const notJson = encodeFrame(1, Buffer.from('{"a": [nope'))
    const wrongShape = encodeFrame(1, Buffer.from(JSON.stringify({ a: [{ id: 42 }] })))
    const badAttributes = encodeFrame(1, Buffer.from(JSON.stringify({ a: [{ ...sampleItem(anon, 200, 'file'), type: 'event', attributes: 'not an object' }] })))
    await writeFile(join(directory, 'app.log'), Buffer.concat([bytes, notJson, wrongShape, badAttributes]))
    // Two records fail their codec at start; the third item fails the full decode when handed out.
    expect(await reread(directory)).toEqual({ ids: idsOf(batch(0, 30)), skipped: 2 })
    const ns = await openOrFail({ directory })
    const before = await right(ns.load())
    await right(ns.peek(anon, 1000))
    const after = await right(ns.load())
    await ns.close()
    expect({ before: before.pendingByIdentity, after: after.pendingByIdentity, skipped: after.skippedRecords }).toEqual({
      before: { anon: 31 },
      after: { anon: 30 },
      skipped: 3,
    })
  })

  it('an empty file and a file of zeros open as an empty namespace', async () => {
    const directory = await freshDirectory()
    await writeFile(join(directory, 'app.log'), Buffer.alloc(0))
    expect(await reread(directory)).toEqual({ ids: [], skipped: 0 })
    await writeFile(join(directory, 'app.log'), Buffer.alloc(4096))
    expect(await reread(directory)).toEqual({ ids: [], skipped: 1 })
  })
})

describe('file storage: compaction', () => {
  it('R13: acknowledgements are small records; once they dominate, the log is rewritten to the live data', async () => {
    const directory = await freshDirectory()
    const ns = await openOrFail({ directory, compactionThresholdBytes: 64 * 1024 })
    const items = batch(0, 1000)
    await right(ns.commit({ append: items }))
    const full = (await stat(join(directory, 'app.log'))).size
    await right(ns.commit({ remove: idsOf(items.slice(0, 10)) }))
    const afterAck = (await stat(join(directory, 'app.log'))).size
    await right(ns.commit({ remove: idsOf(items.slice(10, 900)) }))
    const compacted = (await stat(join(directory, 'app.log'))).size
    await ns.close()
    expect(afterAck - full).toBeLessThan(400)
    expect(compacted).toBeLessThan(full * 0.15)
    expect(await reread(directory)).toEqual({ ids: idsOf(items.slice(900)), skipped: 0 })
    expect((await readdir(directory)).sort()).toEqual(['app.log'])
  })
})

describe('file storage: locking and unusable directories', () => {
  let probe = ''
  beforeAll(async () => {
    probe = await bundle(new URL('./fixtures/fileStorageChild.ts', import.meta.url).pathname, 'node')
  })
  afterAll(async () => {
    await rm(join(probe, '..'), { recursive: true, force: true })
  })

  const runProbe = (args: string[], uid?: number): Promise<{ kind: string; message?: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [probe, 'open', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(uid === undefined ? {} : { uid, gid: uid }) })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.on('error', reject)
      child.on('exit', (code) => {
        try {
          resolve(JSON.parse(out.trim()) as { kind: string; message?: string })
        } catch {
          resolve({ kind: 'probe-crashed', message: `exit ${code}: ${out}` })
        }
      })
    })

  it('a second process opening the same namespace gets locked; another namespace is fine; after close it opens', async () => {
    const directory = await freshDirectory()
    const ns = await openOrFail({ directory }, 'shared')
    expect(await runProbe([directory, 'shared'])).toMatchObject({ kind: 'locked', message: expect.stringContaining(String(process.pid)) })
    expect(await runProbe([directory, 'other'])).toEqual({ kind: 'opened' })
    const second = await createFileStorage({ directory }).open('shared')()
    expect(E.isLeft(second) && second.left.kind).toBe('locked')
    await ns.close()
    expect(await runProbe([directory, 'shared'])).toEqual({ kind: 'opened' })
  })

  it('a lock left by a dead process is taken over', async () => {
    const directory = await freshDirectory()
    const dead = spawn(process.execPath, ['-e', ''])
    const pid = await new Promise<number>((resolve) => dead.on('exit', () => resolve(dead.pid ?? -1)))
    await writeFile(join(directory, 'app.lock'), JSON.stringify({ pid, nonce: 'from-a-crash' }))
    const ns = await openOrFail({ directory })
    await right(ns.commit({ append: batch(0, 2) }))
    await ns.close()
    expect(await reread(directory)).toEqual({ ids: idsOf(batch(0, 2)), skipped: 0 })
  })

  it('a directory that is a file, or a log that cannot be read, is an io failure value', async () => {
    const directory = await freshDirectory()
    await writeFile(join(directory, 'plain-file'), 'x')
    const notDirectory = await createFileStorage({ directory: join(directory, 'plain-file') }).open('app')()
    expect(E.isLeft(notDirectory) && notDirectory.left).toMatchObject({ kind: 'io', message: expect.stringContaining('plain-file') })
    await mkdir(join(directory, 'app.log'))
    const unreadableLog = await createFileStorage({ directory }).open('app')()
    expect(E.isLeft(unreadableLog) && unreadableLog.left).toMatchObject({ kind: 'io', message: expect.stringContaining('EISDIR') })
    // The failed open released its lock.
    expect((await readdir(directory)).sort()).toEqual(['app.log', 'plain-file'])
  })

  it('an unreadable directory is an io failure value, not an exception', async () => {
    const directory = await freshDirectory()
    const locked = join(directory, 'private')
    await mkdir(locked, { mode: 0o700 })
    await chmod(directory, 0o755)
    // Root reads everything, so the probe runs as an unprivileged user when the test runs as root.
    const asUser = process.getuid?.() === 0 ? 65534 : undefined
    await chmod(join(probe, '..'), 0o755)
    if (asUser === undefined) await chmod(locked, 0o000)
    expect(await runProbe([locked, 'app'], asUser)).toMatchObject({ kind: 'io', message: expect.stringContaining('EACCES') })
  })
})

describe('file storage: a full disk', () => {
  let mountPoint = ''
  beforeAll(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), 'jwt-sync-full-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint])
  })
  afterAll(async () => {
    execFileSync('umount', [mountPoint])
    await rm(mountPoint, { recursive: true, force: true })
  })

  it('ENOSPC is a quota failure value; every item committed before it survives; space freed, commits work again', async () => {
    await writeFile(join(mountPoint, 'filler'), Buffer.alloc(128 * 1024))
    const ns = await openOrFail({ directory: join(mountPoint, 'data') })
    const stored: StoredItem[] = []
    let failure: { kind: string; message: string } | undefined
    for (let round = 0; round < 1000 && failure === undefined; round++) {
      const items = batch(round * 20, round * 20 + 20)
      const result = await ns.commit({ append: items })()
      if (E.isLeft(result)) failure = result.left
      else stored.push(...items)
    }
    expect(failure).toMatchObject({ kind: 'quota', message: expect.stringContaining('ENOSPC') })
    expect(stored.length).toBeGreaterThan(0)
    expect(idsOf(await right(ns.peek(anon, 100_000)))).toEqual(idsOf(stored))
    await rm(join(mountPoint, 'filler'))
    const more = batch(90_000, 90_010)
    await right(ns.commit({ append: more }))
    await ns.close()
    const again = await openOrFail({ directory: join(mountPoint, 'data') })
    const snapshot = await right(again.load())
    const items = await right(again.peek(anon, 100_000))
    await again.close()
    expect({ ids: idsOf(items), skipped: snapshot.skippedRecords }).toEqual({ ids: idsOf([...stored, ...more]), skipped: 0 })
  })
})
