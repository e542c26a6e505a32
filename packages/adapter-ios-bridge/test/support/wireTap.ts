import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as it crossed the wire: its content coding and its body bytes exactly as sent. */
export type TappedRequest = {
  readonly path: string
  /** The `Content-Encoding` header, lower case; `identity` when there was none. */
  readonly contentEncoding: string
  readonly idempotencyKey: string | undefined
  readonly body: Buffer
  /** The status the server answered. */
  readonly status: number
}

/**
 * A loopback HTTP relay in front of the reference server that records each request's content
 * coding and body bytes, then forwards them unchanged (headers, bytes) and relays the answer.
 * The reference server's request log says nothing about encodings, and what a host claims to
 * have sent proves nothing: this sees the bytes on the wire while the real server still decides
 * (inflates, verifies, stores, or answers 400 to gzip it cannot read).
 */
export type WireTap = {
  /** The base URL to give the SDK instead of the server's. */
  readonly url: string
  readonly requests: () => readonly TappedRequest[]
  readonly stop: () => Promise<void>
}

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/**
 * Starts a tap that forwards to `target` (a base URL such as `http://127.0.0.1:41234`).
 *
 * @example
 * ```ts
 * const tap = await startWireTap(server.url)
 * // give the SDK tap.url as its baseUrl, then: tap.requests().map((r) => r.contentEncoding)
 * await tap.stop()
 * ```
 */
export const startWireTap = async (target: string): Promise<WireTap> => {
  const recorded: TappedRequest[] = []
  const upstream = new URL(target)
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          recorded.push({
            path: req.url ?? '',
            contentEncoding: (headerValue(req.headers, 'content-encoding') ?? 'identity').toLowerCase(),
            idempotencyKey: headerValue(req.headers, 'idempotency-key'),
            body,
            status: answer.statusCode ?? 0,
          })
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        },
      )
      forward.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(`wire tap: ${error.message}`)
      })
      forward.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...recorded],
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
