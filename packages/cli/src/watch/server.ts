import { createReadStream, existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { ChapterGate } from './chapterGate.js'
import { renderWatchPage } from './page.js'
import type { WatchHub, WatchMessage } from './watchHub.js'

/**
 * Mermaid's single-file browser bundle (UMD, defines `window.mermaid`): the page must work
 * offline, so nothing is fetched from a CDN. The published CLI carries the file in
 * `dist/watch/vendor` (copied at build time, so installing the CLI does not install Mermaid);
 * run from source in the workspace, it comes from the mermaid devDependency.
 */
const mermaidBundlePath = (): string => {
  const vendored = fileURLToPath(new URL('./vendor/mermaid.min.js', import.meta.url))
  if (existsSync(vendored)) return vendored
  try {
    return createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js')
  } catch {
    throw new Error('the watch page needs mermaid.min.js: build the CLI (pnpm --filter @jwt-sync/cli build) or install mermaid')
  }
}

/** A comment line every 15 s keeps idle SSE connections open through proxies and browsers. */
const KEEPALIVE_MS = 15_000

/**
 * The running watch server: its URL, a way to wait for the first page, and `stop`.
 *
 * @example
 * ```ts
 * const watch = await startWatchServer({ hub, gate, port: 0 })
 * console.log(`open ${watch.url}`)
 * await watch.firstViewer(signal)
 * await watch.stop()
 * ```
 */
export type WatchServer = {
  readonly url: string
  /** Resolves true once a page is connected (at once if one already is), false when `signal` aborts first. */
  readonly firstViewer: (signal: AbortSignal) => Promise<boolean>
  readonly viewers: () => number
  readonly stop: () => Promise<void>
}

const sse = (message: unknown): string => `data: ${JSON.stringify(message)}\n\n`

/**
 * Starts the watch page's HTTP server on loopback (plain `node:http`): `GET /` the page,
 * `GET /mermaid.min.js` Mermaid from node_modules, `GET /events` the hub's messages as
 * Server-Sent Events (the chart first, then the history, then live), `POST /next` and
 * `POST /step` (body `on` or `off`) drive the chapter gate. Port 0 picks a free port.
 *
 * @example
 * ```ts
 * const watch = await startWatchServer({ hub, gate, port: 0 }) // watch.url: 'http://127.0.0.1:41234/'
 * ```
 */
export const startWatchServer = async (options: { readonly hub: WatchHub; readonly gate: ChapterGate; readonly port: number; readonly host?: string }): Promise<WatchServer> => {
  const { hub, gate } = options
  const host = options.host ?? '127.0.0.1'
  const streams = new Set<ServerResponse>()
  const viewerWaiters = new Set<() => void>()
  const mermaidPath = mermaidBundlePath()
  let origin = ''

  const openEvents = (response: ServerResponse): void => {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' })
    response.write(sse(hub.hello()))
    response.write(sse({ type: 'stepping', at: Date.now(), on: gate.stepping() } satisfies WatchMessage))
    for (const message of hub.history()) response.write(sse(message))
    streams.add(response)
    const unsubscribe = hub.subscribe((message) => response.write(sse(message)))
    const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS)
    response.on('close', () => {
      clearInterval(keepalive)
      unsubscribe()
      streams.delete(response)
    })
    for (const resolve of [...viewerWaiters]) resolve()
  }

  const readBody = (request: IncomingMessage): Promise<string> =>
    new Promise((resolve) => {
      let body = ''
      request.setEncoding('utf8')
      request.on('data', (chunk: string) => {
        if (body.length < 100) body += chunk
      })
      request.on('end', () => resolve(body.trim()))
    })

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (request.method === 'GET' && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(renderWatchPage())
    } else if (request.method === 'GET' && path === '/mermaid.min.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' })
      createReadStream(mermaidPath).on('error', () => response.destroy()).pipe(response)
    } else if (request.method === 'GET' && path === '/events') {
      openEvents(response)
    } else if (request.method === 'POST' && (path === '/next' || path === '/step')) {
      // Only the page itself drives the story: another site open in the same browser could
      // otherwise post here (the browser sends its Origin with every cross-site POST).
      const from = request.headers.origin
      if (from !== undefined && `${from}/` !== origin) {
        response.writeHead(403).end()
        return
      }
      void readBody(request).then((body) => {
        if (path === '/next') gate.next()
        else {
          gate.setStepping(body === 'on')
          hub.publish({ type: 'stepping', on: gate.stepping() })
        }
        response.writeHead(204).end()
      })
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`

  return {
    url: origin,
    viewers: () => streams.size,
    firstViewer: (signal) =>
      new Promise((resolve) => {
        if (streams.size > 0) return resolve(true)
        if (signal.aborted) return resolve(false)
        const done = (viewing: boolean): void => {
          viewerWaiters.delete(onViewer)
          signal.removeEventListener('abort', onAbort)
          resolve(viewing)
        }
        const onViewer = (): void => done(true)
        const onAbort = (): void => done(false)
        viewerWaiters.add(onViewer)
        signal.addEventListener('abort', onAbort)
      }),
    stop: async () => {
      gate.close()
      for (const stream of streams) stream.end()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
