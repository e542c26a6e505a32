/**
 * @packageDocumentation
 * `@jwt-sync/core/either`: `left`, `right`, `isLeft` and `isRight` for adapters that build or read
 * the core's results without importing fp-ts at run time (its CommonJS build is not tree-shaken by
 * bundlers). The values and types are fp-ts's `Either`.
 */
export { isLeft, isRight, left, right } from './model/either.js'
export type { Either, Left, Right } from './model/either.js'
