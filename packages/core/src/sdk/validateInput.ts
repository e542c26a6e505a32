import * as E from 'fp-ts/lib/Either.js'
import type { Attributes, AttributeValue } from '../model/item.js'
import type { SdkError } from './types.js'

/** Largest serialised attributes (or attribute value) accepted (R17). */
export const MAX_ATTRIBUTES_BYTES = 32 * 1024
export const MAX_NAME_LENGTH = 256

const invalid = (field: string, message: string): E.Either<SdkError, never> =>
  E.left({ code: 'INVALID_INPUT', field, message: `${field}: ${message}` })

const isPlainObject = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Finds the first value that is not JSON data as R17 defines it; returns its path and why. */
const findProblem = (value: unknown, path: string, ancestors: Set<object>): { path: string; problem: string } | null => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null
    case 'number':
      return Number.isFinite(value) ? null : { path, problem: `${String(value)} is not a finite number` }
    case 'object': {
      if (value === null) return null
      if (ancestors.has(value)) return { path, problem: 'is cyclic' }
      const isArray = Array.isArray(value)
      if (!isArray && !isPlainObject(value)) return { path, problem: 'is not a plain object' }
      ancestors.add(value)
      const entries: [string, unknown][] = isArray ? (value as unknown[]).map((v, i) => [String(i), v]) : Object.entries(value)
      for (const [key, child] of entries) {
        const found = findProblem(child, isArray ? `${path}[${key}]` : `${path}.${key}`, ancestors)
        if (found !== null) return found
      }
      ancestors.delete(value)
      return null
    }
    default:
      return { path, problem: `${typeof value} is not allowed` }
  }
}

const utf8Length = (text: string): number => {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdbff ? (i++, 4) : 3
  }
  return bytes
}

const checkSize = (field: string, value: unknown): E.Either<SdkError, void> => {
  const text = JSON.stringify(value)
  // Cheap bound first: every UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= MAX_ATTRIBUTES_BYTES || utf8Length(text) <= MAX_ATTRIBUTES_BYTES) return E.right(undefined)
  return invalid(field, `is over ${MAX_ATTRIBUTES_BYTES} bytes serialised`)
}

/** An event or attribute name: a string of 1 to 256 characters. */
export const validateName = (field: string, name: unknown): E.Either<SdkError, string> => {
  if (typeof name !== 'string') return invalid(field, `expected a string, got ${name === null ? 'null' : typeof name}`)
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return invalid(field, `must be 1 to ${MAX_NAME_LENGTH} characters, got ${name.length}`)
  return E.right(name)
}

/** Event attributes: absent, or a plain object of JSON data, acyclic, at most 32 KB serialised. */
export const validateAttributes = (attributes: unknown): E.Either<SdkError, Attributes> => {
  if (attributes === undefined) return E.right({})
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes) || !isPlainObject(attributes)) {
    return invalid('attributes', 'expected a plain object')
  }
  const problem = findProblem(attributes, 'attributes', new Set())
  if (problem !== null) return invalid(problem.path, problem.problem)
  const size = checkSize('attributes', attributes)
  return E.isLeft(size) ? size : E.right(attributes as Attributes)
}

/** A user attribute's value: any JSON data, acyclic, at most 32 KB serialised. */
export const validateAttributeValue = (value: unknown): E.Either<SdkError, AttributeValue> => {
  const problem = findProblem(value, 'value', new Set())
  if (problem !== null) return invalid(problem.path, problem.problem)
  const size = checkSize('value', value)
  return E.isLeft(size) ? size : E.right(value as AttributeValue)
}

/** An identifier or token: a non-empty string. */
export const validateNonEmptyString = (field: string, value: unknown): E.Either<SdkError, string> =>
  typeof value === 'string' && value.length > 0
    ? E.right(value)
    : invalid(field, `expected a non-empty string, got ${value === null ? 'null' : typeof value === 'string' ? 'an empty string' : typeof value}`)
