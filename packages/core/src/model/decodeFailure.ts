import type * as t from 'io-ts'

// Only these add a context entry whose key is a member index, not a field: exact, refinement and
// recursion validate their inner type with the same context, so the keys under them are fields.
const COMBINATORS = new Set(['IntersectionType', 'UnionType'])

/** The field path of one io-ts error: object keys and array indices, not union/intersection members. */
const pathOf = (error: t.ValidationError): string[] => {
  const path: string[] = []
  for (let i = 1; i < error.context.length; i++) {
    const parent = error.context[i - 1]?.type as { _tag?: string } | undefined
    const key = error.context[i]?.key ?? ''
    if (key !== '' && !COMBINATORS.has(parent?._tag ?? '')) path.push(key)
  }
  return path
}

/**
 * Turns io-ts errors into one message naming the field, e.g.
 * `networkConfig.authorizationConfig.isJwtEnabled: expected boolean, got "yes"`.
 * The deepest path wins: it is the most specific field.
 *
 * @example
 * ```ts
 * const decoded = SdkConfigCodec.decode(input)
 * if (E.isLeft(decoded)) console.error(describeDecodeFailure(decoded.left).message)
 * // e.g. 'networkConfig.authorizationConfig.isJwtEnabled: expected boolean, got "yes"'
 * ```
 */
export const describeDecodeFailure = (errors: t.Errors): { field: string; message: string } => {
  let best = { field: '(root)', message: 'invalid value', depth: -1 }
  for (const error of errors) {
    const path = pathOf(error)
    if (path.length <= best.depth) continue
    const field = path.length > 0 ? path.join('.') : '(root)'
    const expected = error.context[error.context.length - 1]?.type.name ?? 'value'
    const shown = error.value === undefined ? 'missing' : `got ${safeShow(error.value)}`
    best = { field, message: `${field}: expected ${expected}, ${shown}`, depth: path.length }
  }
  return { field: best.field, message: best.message }
}

const safeShow = (value: unknown): string => {
  if (typeof value === 'function') return 'a function'
  try {
    const text = JSON.stringify(value)
    if (text === undefined) return String(value)
    return text.length > 60 ? `${text.slice(0, 57)}...` : text
  } catch {
    return 'an unserialisable value'
  }
}
