import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Option declarations in `node:util` parseArgs form.
 *
 * @example
 * ```ts
 * const spec: OptionSpec = { port: { type: 'string' }, quiet: { type: 'boolean' } }
 * ```
 */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>

/**
 * Parsed options and positionals.
 *
 * @example
 * ```ts
 * const parsed: ParsedArguments = { values: { port: '0' }, positionals: [] }
 * ```
 */
export type ParsedArguments = {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>
  readonly positionals: readonly string[]
}

/**
 * Strict argument parsing as a value: unknown options, missing values and the like become a
 * one-line `Left` instead of a throw.
 *
 * @example
 * ```ts
 * parseArguments(['--port', '8080'], { port: { type: 'string' } }) // Right({ values: { port: '8080' }, positionals: [] })
 * ```
 */
export const parseArguments = (args: readonly string[], options: OptionSpec, allowPositionals = false): E.Either<string, ParsedArguments> => {
  try {
    const parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals, allowNegative: false } as Parameters<typeof parseArgs>[0])
    return E.right({ values: parsed.values as ParsedArguments['values'], positionals: parsed.positionals })
  } catch (error) {
    return E.left(error instanceof Error ? error.message.split('\n')[0] ?? 'invalid arguments' : String(error))
  }
}

/**
 * A string option's value (the last one when repeated).
 *
 * @example
 * ```ts
 * stringOption(parsed.values, 'app') // 'demo' or undefined
 * ```
 */
export const stringOption = (values: ParsedArguments['values'], name: string): string | undefined => {
  const value = values[name]
  if (Array.isArray(value)) {
    const last = value.at(-1)
    return typeof last === 'string' ? last : undefined
  }
  return typeof value === 'string' ? value : undefined
}

/**
 * Every value of a repeatable string option.
 *
 * @example
 * ```ts
 * stringOptions(parsed.values, 'key') // ['old.pem', 'new.pem']
 * ```
 */
export const stringOptions = (values: ParsedArguments['values'], name: string): readonly string[] => {
  const value = values[name]
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string')
  return typeof value === 'string' ? [value] : []
}

/**
 * A non-negative integer option, `Left` naming the option when it is not one.
 *
 * @example
 * ```ts
 * integerOption(parsed.values, 'port', 7355) // Right(7355) when absent
 * ```
 */
export const integerOption = (values: ParsedArguments['values'], name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): E.Either<string, number> => {
  const text = stringOption(values, name)
  if (text === undefined) return E.right(fallback)
  if (!/^\d+$/.test(text) || Number(text) > max) return E.left(`--${name} must be an integer from 0 to ${max}, got ${JSON.stringify(text)}`)
  return E.right(Number(text))
}
