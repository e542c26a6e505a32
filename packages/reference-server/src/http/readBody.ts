import type { IncomingMessage } from 'node:http'
import { createGunzip, type Gunzip } from 'node:zlib'

/**
 * The body, or why it could not be read.
 *
 * @example
 * ```ts
 * if (read.kind === 'body') JSON.parse(read.text)
 * ```
 */
export type BodyRead =
  | { readonly kind: 'body'; readonly text: string }
  /** Over the limit on the wire, or once decompressed (`bytes`: what was counted when it stopped). */
  | { readonly kind: 'too-large'; readonly bytes: number; readonly decompressed: boolean }
  /** A `Content-Encoding` other than gzip or identity. */
  | { readonly kind: 'unsupported-encoding'; readonly encoding: string }
  /** Declared gzip, but not valid gzip data. */
  | { readonly kind: 'bad-encoding'; readonly message: string }
  | { readonly kind: 'aborted' }

/** The request's content coding, lower case; `identity` when none is declared. */
const encodingOf = (req: IncomingMessage): string => (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity'

/**
 * Reads a request body up to `maxBytes`, on the wire and, for `Content-Encoding: gzip`, once
 * decompressed: the gzip stream is inflated chunk by chunk and stopped at the limit, so a small
 * body that would inflate to gigabytes (a gzip bomb) costs at most `maxBytes` of memory. A body
 * over the limit is drained (not kept) so the 413 can be answered on a healthy connection instead
 * of resetting a client that is still sending.
 *
 * @example
 * ```ts
 * const read = await readBody(req, 1024 * 1024)
 * if (read.kind === 'too-large') sendJson(res, 413, validationError('batch too large'))
 * ```
 */
export const readBody = (req: IncomingMessage, maxBytes: number): Promise<BodyRead> =>
  new Promise((resolve) => {
    const encoding = encodingOf(req)
    const declared = Number(req.headers['content-length'] ?? '0')
    const chunks: Buffer[] = []
    let wireBytes = 0
    let kept = 0
    let outcome: BodyRead | null = Number.isFinite(declared) && declared > maxBytes ? { kind: 'too-large', bytes: declared, decompressed: false } : null
    if (encoding !== 'identity' && encoding !== 'gzip') outcome = { kind: 'unsupported-encoding', encoding }
    let settled = false
    const settle = (read: BodyRead): void => {
      if (settled) return
      settled = true
      resolve(read)
    }

    const keep = (chunk: Buffer, decompressed: boolean): void => {
      kept += chunk.length
      if (kept > maxBytes) {
        outcome ??= { kind: 'too-large', bytes: kept, decompressed }
        chunks.length = 0
        return
      }
      chunks.push(chunk)
    }

    let gunzip: Gunzip | null = null
    let inflated = Promise.resolve()
    if (outcome === null && encoding === 'gzip') {
      const stream = createGunzip()
      gunzip = stream
      stream.on('data', (chunk: Buffer) => {
        keep(chunk, true)
        // Over the limit: stop inflating; the rest of the request is drained unread.
        if (outcome !== null) stream.destroy()
      })
      inflated = new Promise<void>((done) => {
        stream.on('end', done)
        stream.on('close', done)
        stream.on('error', (error) => {
          outcome ??= { kind: 'bad-encoding', message: error.message }
          done()
        })
      })
    }

    req.on('data', (chunk: Buffer) => {
      wireBytes += chunk.length
      if (wireBytes > maxBytes) outcome ??= { kind: 'too-large', bytes: wireBytes, decompressed: false }
      if (outcome !== null) return
      if (gunzip !== null) gunzip.write(chunk)
      else keep(chunk, false)
    })
    req.on('end', () => {
      if (gunzip !== null && outcome === null) gunzip.end()
      else gunzip?.destroy()
      void inflated.then(() => settle(outcome ?? { kind: 'body', text: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', () => settle({ kind: 'aborted' }))
    req.on('aborted', () => settle({ kind: 'aborted' }))
  })
