/**
 * Compresses a request body with gzip (R20). Resolves with the gzip bytes; may reject, in which
 * case the transport sends the body uncompressed.
 *
 * @example
 * ```ts
 * const gzip: Gzip = (body) => myNativeModule.gzip(body) // e.g. a React Native module
 * createFetchTransport({ gzip })
 * ```
 */
export type Gzip = (body: string) => Promise<Uint8Array>

type ZlibGzip = (input: string, options: { level: number }, callback: (error: Error | null, result: Uint8Array) => void) => void

/**
 * zlib's fastest level: on the bench's batches (100 events, 26 KB of JSON) it gives 8% of the
 * size at about half the CPU of the default level 6, which would give 7%.
 */
const ZLIB_LEVEL = 1

/**
 * Node's zlib, looked up at run time with `process.getBuiltinModule` (Node >= 20.16) rather than
 * imported: a browser or React Native bundle then holds no `node:zlib` import to fail on.
 */
const nodeGzip = (): ZlibGzip | null => {
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  if (typeof nodeProcess?.getBuiltinModule !== 'function') return null
  const zlib = nodeProcess.getBuiltinModule('node:zlib') as { gzip?: ZlibGzip } | undefined
  return typeof zlib?.gzip === 'function' ? zlib.gzip : null
}

/**
 * The platform's gzip: zlib in Node (off the main thread, in libuv's pool), `CompressionStream`
 * in browsers, Deno and Bun, none elsewhere (React Native, JavaScriptCore): then `null`, and
 * bodies go uncompressed unless the app passes its own `gzip`.
 *
 * @example
 * ```ts
 * const gzip = platformGzip()
 * if (gzip !== null) console.log((await gzip('{"items":[]}')).length)
 * ```
 */
export const platformGzip = (): Gzip | null => {
  const zlibGzip = nodeGzip()
  if (zlibGzip !== null) {
    return (body) => new Promise((resolve, reject) => zlibGzip(body, { level: ZLIB_LEVEL }, (error, result) => (error === null ? resolve(result) : reject(error))))
  }
  if (typeof globalThis.CompressionStream === 'function' && typeof globalThis.Blob === 'function' && typeof globalThis.Response === 'function') {
    return async (body) => new Uint8Array(await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer())
  }
  return null
}
