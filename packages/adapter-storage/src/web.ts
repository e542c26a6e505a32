/**
 * @packageDocumentation
 * The browser entry of `@jwt-sync/adapter-storage` (no Node modules): `import { createWebStorage }
 * from '@jwt-sync/adapter-storage/web'`.
 */
export { createMemoryStorage } from '@jwt-sync/core'
export type { WebStorageOptions } from './webStorage.js'
export { createWebStorage } from './webStorage.js'
