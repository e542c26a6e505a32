/**
 * @packageDocumentation
 * The jwt-sync transport over WHATWG fetch (Node 20+, browsers, React Native).
 */
export type { FetchFunction, FetchResponse, FetchTransportOptions } from './fetchTransport.js'
export { createFetchTransport } from './fetchTransport.js'
export type { Gzip } from './gzipBody.js'
