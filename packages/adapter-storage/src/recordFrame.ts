import { crc32 } from 'node:zlib'

/**
 * Binary framing of the file log. Each record is
 * `magic(2) version(1) length(u32 LE) crc32(u32 LE) payload(length)`, the CRC covering version,
 * length and payload. The magic starts with 0xFF, a byte UTF-8 JSON never contains, so after a
 * damaged record the reader finds the next record by searching for it.
 */
const MAGIC = Buffer.from([0xff, 0xa5])
const HEADER_BYTES = 11

/**
 * Frames one payload.
 *
 * @example
 * ```ts
 * const bytes = encodeFrame(1, Buffer.from('{"a":[]}'))
 * ```
 */
export const encodeFrame = (version: number, payload: Buffer): Buffer => {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length)
  MAGIC.copy(frame, 0)
  frame.writeUInt8(version, 2)
  frame.writeUInt32LE(payload.length, 3)
  payload.copy(frame, HEADER_BYTES)
  frame.writeUInt32LE(crc32(payload, crc32(frame.subarray(2, 7))), 7)
  return frame
}

/**
 * A record the checksum vouches for.
 *
 * @example
 * ```ts
 * const frame: Frame = { version: 1, payload: Buffer.from('{}') }
 * ```
 */
export type Frame = { readonly version: number; readonly payload: Buffer }

/**
 * What a log holds: its intact records, how many damaged ones were passed over, and where the
 * last intact record ends (a writer truncates there, dropping a torn tail).
 *
 * @example
 * ```ts
 * const scan: FrameScan = scanFrames(log)
 * if (scan.intactEnd < log.length) await handle.truncate(scan.intactEnd)
 * ```
 */
export type FrameScan = { readonly frames: readonly Frame[]; readonly damaged: number; readonly intactEnd: number }

type Probe = { readonly kind: 'intact'; readonly frame: Frame; readonly end: number } | { readonly kind: 'torn' } | { readonly kind: 'damaged' }

const probe = (log: Buffer, at: number): Probe => {
  if (log.length - at < HEADER_BYTES) return { kind: 'torn' }
  if (log[at] !== MAGIC[0] || log[at + 1] !== MAGIC[1]) return { kind: 'damaged' }
  const length = log.readUInt32LE(at + 3)
  const end = at + HEADER_BYTES + length
  if (end > log.length) return { kind: 'torn' }
  const payload = log.subarray(at + HEADER_BYTES, end)
  if (crc32(payload, crc32(log.subarray(at + 2, at + 7))) !== log.readUInt32LE(at + 7)) return { kind: 'damaged' }
  return { kind: 'intact', frame: { version: log.readUInt8(at + 2), payload }, end }
}

const nextIntact = (log: Buffer, from: number): number => {
  for (let at = log.indexOf(MAGIC, from); at !== -1; at = log.indexOf(MAGIC, at + 1)) {
    if (probe(log, at).kind === 'intact') return at
  }
  return -1
}

/**
 * Reads every intact record of a log. A damaged record counts once and the reader resumes at
 * the next intact one, so no record around it is lost; an unfinished record at the end (a crash
 * during a write) is the torn tail and is not counted: its commit never completed.
 *
 * @example
 * ```ts
 * const { frames, damaged, intactEnd } = scanFrames(await readFile(path))
 * ```
 */
export const scanFrames = (log: Buffer): FrameScan => {
  const frames: Frame[] = []
  let damaged = 0
  let intactEnd = 0
  let at = 0
  while (at < log.length) {
    const found = probe(log, at)
    if (found.kind === 'intact') {
      frames.push(found.frame)
      at = found.end
      intactEnd = at
      continue
    }
    const resume = nextIntact(log, at + 1)
    if (resume === -1) {
      if (found.kind === 'damaged') damaged++
      break
    }
    damaged++
    at = resume
  }
  return { frames, damaged, intactEnd }
}
