import * as E from '../model/either.js'
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

type Problem = { readonly path: string[]; readonly problem: string }

/** Upper bound of a serialised number or literal, in bytes. */
const SCALAR_BOUND = 24

/**
 * Walks a value once: finds the first thing that is not JSON data as R17 defines it (its path is
 * built only on failure) and adds an upper bound of its serialised size to `size.bytes`, so the
 * exact (costlier) size check only runs for large values. Tracking stays cheap (R13).
 */
const findProblem = (value: unknown, ancestors: object[], size: { bytes: number }): Problem | null => {
  switch (typeof value) {
    case 'string':
      size.bytes += value.length * 6 + 2
      return null
    case 'boolean':
      size.bytes += SCALAR_BOUND
      return null
    case 'number':
      size.bytes += SCALAR_BOUND
      return Number.isFinite(value) ? null : { path: [], problem: `${String(value)} is not a finite number` }
    case 'object': {
      if (value === null) {
        size.bytes += SCALAR_BOUND
        return null
      }
      if (ancestors.includes(value)) return { path: [], problem: 'is cyclic' }
      ancestors.push(value)
      size.bytes += 2
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          size.bytes += 1
          const found = findProblem(value[i], ancestors, size)
          if (found !== null) return { path: [`[${i}]`, ...found.path], problem: found.problem }
        }
      } else {
        if (!isPlainObject(value)) return { path: [], problem: 'is not a plain object' }
        for (const key in value) {
          if (!Object.prototype.hasOwnProperty.call(value, key)) continue
          size.bytes += key.length * 6 + 4
          const found = findProblem((value as Record<string, unknown>)[key], ancestors, size)
          if (found !== null) return { path: [`.${key}`, ...found.path], problem: found.problem }
        }
      }
      ancestors.pop()
      return null
    }
    default:
      return { path: [], problem: `${typeof value} is not allowed` }
  }
}

/** Checks a value is JSON data within the size limit; the error names the exact field. */
const checkJsonData = (field: string, value: unknown): E.Either<SdkError, void> => {
  const size = { bytes: 0 }
  const problem = findProblem(value, [], size)
  if (problem !== null) return invalid(`${field}${problem.path.join('')}`, problem.problem)
  return size.bytes <= MAX_ATTRIBUTES_BYTES ? E.right(undefined) : checkSize(field, value)
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
  if (utf8Length(text) <= MAX_ATTRIBUTES_BYTES) return E.right(undefined)
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
  const checked = checkJsonData('attributes', attributes)
  return E.isLeft(checked) ? checked : E.right(attributes as Attributes)
}

/** A user attribute's value: any JSON data, acyclic, at most 32 KB serialised. */
export const validateAttributeValue = (value: unknown): E.Either<SdkError, AttributeValue> => {
  const checked = checkJsonData('value', value)
  return E.isLeft(checked) ? checked : E.right(value as AttributeValue)
}

/** An identifier or token: a non-empty string. */
export const validateNonEmptyString = (field: string, value: unknown): E.Either<SdkError, string> =>
  typeof value === 'string' && value.length > 0
    ? E.right(value)
    : invalid(field, `expected a non-empty string, got ${value === null ? 'null' : typeof value === 'string' ? 'an empty string' : typeof value}`)
