import type { IncomingMessage } from 'node:http'

/**
 * The body, or why it could not be read.
 *
 * @example
 * ```ts
 * if (read.kind === 'body') JSON.parse(read.text)
 * ```
 */
export type BodyRead = { readonly kind: 'body'; readonly text: string } | { readonly kind: 'too-large'; readonly bytes: number } | { readonly kind: 'aborted' }

/**
 * Reads a request body up to `maxBytes`. A larger body is drained (not kept) so the 413 can be
 * answered on a healthy connection instead of resetting a client that is still sending.
 *
 * @example
 * ```ts
 * const read = await readBody(req, 1024 * 1024)
 * if (read.kind === 'too-large') sendJson(res, 413, validationError('batch too large'))
 * ```
 */
export const readBody = (req: IncomingMessage, maxBytes: number): Promise<BodyRead> =>
  new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? '0')
    const chunks: Buffer[] = []
    let bytes = 0
    let tooLarge = Number.isFinite(declared) && declared > maxBytes
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > maxBytes) tooLarge = true
      if (!tooLarge) chunks.push(chunk)
    })
    req.on('end', () => resolve(tooLarge ? { kind: 'too-large', bytes } : { kind: 'body', text: Buffer.concat(chunks).toString('utf8') }))
    req.on('error', () => resolve({ kind: 'aborted' }))
    req.on('aborted', () => resolve({ kind: 'aborted' }))
  })
