/**
 * @packageDocumentation
 * Durable storage drivers for jwt-sync: files (Node) and IndexedDB / localStorage (browsers).
 * See README.md for the port contract a driver of your own must keep.
 */
export { createMemoryStorage } from '@jwt-sync/core'
export type { FileStorageOptions } from './fileStorage.js'
export { createFileStorage } from './fileStorage.js'
export type { WebStorageOptions } from './webStorage.js'
export { createWebStorage } from './webStorage.js'
export type { KeyValueStorageOptions } from './keyValueStorage.js'
export { createKeyValueStorage } from './keyValueStorage.js'
export type { KeyValueStore } from './keyValueStore.js'
