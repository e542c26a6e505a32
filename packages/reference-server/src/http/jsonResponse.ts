import type { ServerResponse } from 'node:http'

/**
 * Ends a response with a JSON body (or a text body when given a string).
 *
 * @example
 * ```ts
 * sendJson(res, 200, { accepted: 1, duplicates: 0 })
 * ```
 */
export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void => {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}

/**
 * The VALIDATION error body of `docs/wire-protocol.md` (400 / 413 / 422) and the admin API.
 *
 * @example
 * ```ts
 * validationError('body is not JSON') // { error: { type: 'VALIDATION', message: 'body is not JSON' } }
 * ```
 */
export const validationError = (message: string, itemIds?: readonly string[]): unknown => ({
  error: itemIds === undefined ? { type: 'VALIDATION', message } : { type: 'VALIDATION', message, itemIds },
})
