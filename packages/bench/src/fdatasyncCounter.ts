import { open, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Counts the fdatasync calls of this process: `FileHandle#datasync`, which the file storage calls
 * once per commit with `durability: 'fsync'`, is wrapped on the shared prototype. Bench drivers
 * only: it measures the storage, it does not change what it does.
 *
 * @example
 * ```ts
 * const fdatasyncs = await countFdatasyncs()
 * // ... run the SDK ...
 * console.log(fdatasyncs())
 * ```
 */
export const countFdatasyncs = async (): Promise<() => number> => {
  const probePath = join(tmpdir(), `jwt-sync-fdatasync-probe-${process.pid}`)
  const probe = await open(probePath, 'w')
  const prototype = Object.getPrototypeOf(probe) as { datasync: (this: unknown) => Promise<void> }
  await probe.close()
  await unlink(probePath)
  const original = prototype.datasync
  let calls = 0
  prototype.datasync = function datasync(this: unknown): Promise<void> {
    calls += 1
    return original.call(this)
  }
  return () => calls
}
