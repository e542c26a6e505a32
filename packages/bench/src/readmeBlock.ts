import * as E from 'fp-ts/lib/Either.js'

/**
 * The markers the README carries around the generated benchmark table.
 *
 * @example
 * ```ts
 * readme.includes(README_START_MARKER)
 * ```
 */
export const README_START_MARKER = '<!-- bench:start -->'

/**
 * @see README_START_MARKER
 * @example
 * ```ts
 * readme.includes(README_END_MARKER)
 * ```
 */
export const README_END_MARKER = '<!-- bench:end -->'

/**
 * Replaces what lies between the markers with `block`; `Left` with a reason when the markers are
 * missing, doubled or out of order.
 *
 * @example
 * ```ts
 * replaceReadmeBlock('a\n<!-- bench:start -->\nold\n<!-- bench:end -->\n', 'new') // Right('a\n<!-- bench:start -->\nnew\n<!-- bench:end -->\n')
 * ```
 */
export const replaceReadmeBlock = (readme: string, block: string): E.Either<string, string> => {
  const start = readme.indexOf(README_START_MARKER)
  const end = readme.indexOf(README_END_MARKER)
  if (start === -1 || end === -1) return E.left(`README.md has no ${start === -1 ? README_START_MARKER : README_END_MARKER} marker`)
  if (readme.indexOf(README_START_MARKER, start + 1) !== -1 || readme.indexOf(README_END_MARKER, end + 1) !== -1) return E.left('README.md has more than one pair of bench markers')
  if (end < start) return E.left(`${README_END_MARKER} comes before ${README_START_MARKER} in README.md`)
  return E.right(`${readme.slice(0, start + README_START_MARKER.length)}\n${block.trim()}\n${readme.slice(end)}`)
}
