import { randomBytes } from 'node:crypto'
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import * as E from '@jwt-sync/core/either'
import * as t from 'io-ts'
import type { StorageFailure } from '@jwt-sync/core'
import { fileFailure } from './storageFailure.js'

const LockContentCodec = t.type({ pid: t.number, nonce: t.string })

/**
 * A held lock file. `release` removes it if it is still ours.
 *
 * @example
 * ```ts
 * const lock = await acquireFileLock('/data/app.lock')
 * if (E.isRight(lock)) await lock.right.release()
 * ```
 */
export type FileLock = { readonly release: () => Promise<void> }

/** Whether a process with this pid exists (EPERM: it exists, it is just not ours). */
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}

const readHolder = async (path: string): Promise<t.TypeOf<typeof LockContentCodec> | undefined> => {
  try {
    const decoded = LockContentCodec.decode(JSON.parse(await readFile(path, 'utf8')))
    return E.isRight(decoded) ? decoded.right : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes the lock file of one namespace so a second process (or a second open in this one) gets a
 * clear `locked` failure instead of interleaving writes. The file is created complete (written
 * aside, then hard-linked into place, which fails if it exists); a lock whose pid is dead or whose
 * content is unreadable is stale and taken over by renaming a fresh one over it, then reading it
 * back to make sure this process won.
 *
 * @example
 * ```ts
 * const lock = await acquireFileLock(join(directory, 'my-app.lock'))
 * ```
 */
export const acquireFileLock = async (path: string): Promise<E.Either<StorageFailure, FileLock>> => {
  const nonce = randomBytes(8).toString('hex')
  const aside = `${path}.${process.pid}.${nonce}`
  const release = async (): Promise<void> => {
    if ((await readHolder(path))?.nonce === nonce) await unlink(path).catch(() => undefined)
  }
  try {
    await writeFile(aside, JSON.stringify({ pid: process.pid, nonce }))
    try {
      await link(aside, path)
      return E.right({ release })
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') return E.left(fileFailure(`cannot create lock ${path}`, error))
    }
    const holder = await readHolder(path)
    if (holder !== undefined && isAlive(holder.pid)) {
      return E.left({ kind: 'locked', message: `${path} is held by process ${holder.pid}; one process per namespace` })
    }
    await rename(aside, path)
    if ((await readHolder(path))?.nonce !== nonce) {
      return E.left({ kind: 'locked', message: `${path} was taken over by another process at the same time` })
    }
    return E.right({ release })
  } catch (error) {
    return E.left(fileFailure(`cannot take lock ${path}`, error))
  } finally {
    await unlink(aside).catch(() => undefined)
  }
}
