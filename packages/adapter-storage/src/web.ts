/**
 * @packageDocumentation
 * The browser and React Native entry of `@jwt-sync/adapter-storage` (no Node modules):
 * `import { createWebStorage } from '@jwt-sync/adapter-storage/web'`, or `createKeyValueStorage`
 * for AsyncStorage or MMKV.
 */
export { createMemoryStorage } from '@jwt-sync/core'
export type { WebStorageOptions } from './webStorage.js'
export { createWebStorage } from './webStorage.js'
export type { KeyValueStorageOptions } from './keyValueStorage.js'
export { createKeyValueStorage } from './keyValueStorage.js'
export type { KeyValueStore } from './keyValueStore.js'
