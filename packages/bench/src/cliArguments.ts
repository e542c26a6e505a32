import * as E from 'fp-ts/lib/Either.js'

/**
 * The options of `pnpm bench:peers`.
 *
 * @example
 * ```ts
 * parseCliArguments(['--n', '2000', '--rounds', '1'])
 * ```
 */
export type CliArguments = {
  readonly n: number
  readonly rounds: number
  /** Only these delivery subject ids (a partial run, written to results/partial.*). */
  readonly only: readonly string[] | null
  readonly skipDelivery: boolean
  readonly skipBundle: boolean
  /** Copy results/latest.md into the README block instead of running. */
  readonly updateReadme: boolean
  /**
   * Run every driver under `node --cpu-prof` and print where its CPU went (results/profiles/,
   * not committed). Profiling slows the drivers: such a run is a partial one.
   */
  readonly profile: boolean
}

const positiveInteger = (flag: string, raw: string | undefined): E.Either<string, number> => {
  const value = Number(raw)
  return Number.isInteger(value) && value > 0 ? E.right(value) : E.left(`${flag} needs a positive integer, got ${raw ?? 'nothing'}`)
}

/**
 * Parses argv (without node and script); `Left` with a usage message on anything unknown.
 *
 * @example
 * ```ts
 * parseCliArguments(['--update-readme']) // Right({ ..., updateReadme: true })
 * ```
 */
export const parseCliArguments = (argv: readonly string[]): E.Either<string, CliArguments> => {
  let parsed: CliArguments = { n: 20_000, rounds: 5, only: null, skipDelivery: false, skipBundle: false, updateReadme: false, profile: false }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    switch (flag) {
      case '--n':
      case '--rounds': {
        const value = positiveInteger(flag, argv[++i])
        if (E.isLeft(value)) return value
        parsed = flag === '--n' ? { ...parsed, n: value.right } : { ...parsed, rounds: value.right }
        break
      }
      case '--only':
        parsed = { ...parsed, only: (argv[++i] ?? '').split(',').filter((id) => id.length > 0) }
        break
      case '--skip-delivery':
        parsed = { ...parsed, skipDelivery: true }
        break
      case '--skip-bundle':
        parsed = { ...parsed, skipBundle: true }
        break
      case '--update-readme':
        parsed = { ...parsed, updateReadme: true }
        break
      case '--profile':
        parsed = { ...parsed, profile: true }
        break
      case '--':
        break
      default:
        return E.left(`unknown argument ${flag ?? ''}; usage: pnpm bench:peers [--n 20000] [--rounds 5] [--only id,id] [--skip-delivery] [--skip-bundle] [--profile] [--update-readme]`)
    }
  }
  return E.right(parsed)
}
