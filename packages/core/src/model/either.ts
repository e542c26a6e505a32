import type { Either, Left, Right } from 'fp-ts/lib/Either.js'

// The four Either functions the packages use, written out so that no published module imports
// fp-ts at run time: fp-ts 2 ships CommonJS (`lib/`) that bundlers cannot shake and an ES build
// (`es6/`) that Node loads as CommonJS, as it has no exports map. The values are fp-ts's own
// `Either` (`{ _tag: 'Left', left }`, `{ _tag: 'Right', right }`), so an app keeps using fp-ts on
// every result, and the types are fp-ts's (a type-only import, gone from the JavaScript).
export type { Either, Left, Right }

/**
 * A failure value, as fp-ts's `left`.
 *
 * @example
 * ```ts
 * const failure: Either<StorageFailure, never> = left({ kind: 'quota', message: 'disk full' })
 * ```
 */
export const left = <E = never, A = never>(e: E): Either<E, A> => ({ _tag: 'Left', left: e })

/**
 * A success value, as fp-ts's `right`.
 *
 * @example
 * ```ts
 * const done: Either<never, number> = right(42)
 * ```
 */
export const right = <E = never, A = never>(a: A): Either<E, A> => ({ _tag: 'Right', right: a })

/**
 * True for a failure, as fp-ts's `isLeft`; narrows the type.
 *
 * @example
 * ```ts
 * const result = sdk.track('Opened')
 * if (isLeft(result)) console.warn(result.left.code)
 * ```
 */
export const isLeft = <E>(ma: Either<E, unknown>): ma is Left<E> => ma._tag === 'Left'

/**
 * True for a success, as fp-ts's `isRight`; narrows the type.
 *
 * @example
 * ```ts
 * const result = sdk.track('Opened')
 * if (isRight(result)) console.log(result.right.id)
 * ```
 */
export const isRight = <A>(ma: Either<unknown, A>): ma is Right<A> => ma._tag === 'Right'
