// Tests that pin the client-side token handling exactly (R6, R7, R18): each one kills mutants
// that the broader tests let live (mutation/README.md). Decoding is plain ECMAScript, so every
// branch of base64url and UTF-8 decoding is a branch of R6's DECRYPTION_FAILED check.
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeBase64Url, decodeUtf8 } from '../src/jwt/base64url.js'
import { checkToken, isExpired } from '../src/jwt/clientChecks.js'
import { decodeJwt, expiryMsOf, subjectOf } from '../src/jwt/decodeJwt.js'
import { JWT_ERROR_CODES, isJwtErrorCode } from '../src/jwt/errorCodes.js'
import { fingerprintToken } from '../src/jwt/fingerprint.js'
import { fnv1a32, hash64 } from '../src/jwt/hash.js'
import { makeToken } from './harness.js'

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const bytesOf = (text: string): number[] => [...Buffer.from(text, 'utf8')]
const now = Date.UTC(2026, 0, 1)
const options = { allowedAlgorithms: ['RS256', 'RS512'], clockSkewMs: 60_000, now }
const exp = Math.floor(now / 1000) + 600
const codeOf = (token: string, identifier = 'u1', opts = options): string => {
  const result = checkToken(token, identifier, opts)
  return E.isLeft(result) ? result.left.code : 'OK'
}

describe('R6: base64url decoding (DECRYPTION_FAILED when a part is not base64url)', () => {
  it('R6: decodes every alphabet character to its 6 bits, with or without padding', () => {
    // Every byte value round-trips: each character of the alphabet, at each bit offset.
    const all = Array.from({ length: 256 }, (_, i) => i)
    expect(decodeBase64Url(Buffer.from(all).toString('base64url'))).toEqual(all)
    expect(decodeBase64Url(Buffer.from([251, 255, 191]).toString('base64url'))).toEqual([251, 255, 191])
    expect(decodeBase64Url('YQ==')).toEqual([97])
    expect(decodeBase64Url('YQ')).toEqual([97])
    expect(decodeBase64Url('YWI=')).toEqual([97, 98])
    expect(decodeBase64Url('')).toEqual([])
  })
  it('R6: a length of 1 mod 4, a character outside base64url, or standard base64 is refused', () => {
    expect(decodeBase64Url('YWJjZ')).toBeNull()
    expect(decodeBase64Url('Y')).toBeNull()
    expect(decodeBase64Url('YW+j')).toBeNull()
    expect(decodeBase64Url('YW/j')).toBeNull()
    expect(decodeBase64Url('YW j')).toBeNull()
    expect(decodeBase64Url('Y=Q')).toBeNull()
  })
})

describe('R6: UTF-8 decoding of header and payload (DECRYPTION_FAILED on invalid sequences)', () => {
  it('R6: one- to four-byte sequences decode, at the edges of each range', () => {
    for (const text of ['A', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '✓', '\uffff', '\u{10000}', '😀', '\u{10ffff}', 'aé✓😀z']) {
      expect(decodeUtf8(bytesOf(text))).toBe(text)
    }
    expect(decodeUtf8([])).toBe('')
  })
  it('R6: stray continuation bytes, overlong leads, bytes past U+10FFFF and truncated sequences are refused', () => {
    expect(decodeUtf8([0x80])).toBeNull()
    expect(decodeUtf8([0xbf])).toBeNull()
    expect(decodeUtf8([0xc0, 0x80])).toBeNull()
    expect(decodeUtf8([0xc1, 0xbf])).toBeNull()
    expect(decodeUtf8([0xf5, 0x80, 0x80, 0x80])).toBeNull()
    expect(decodeUtf8([0xff])).toBeNull()
    expect(decodeUtf8([0xc3])).toBeNull()
    expect(decodeUtf8([0xe2, 0x9c])).toBeNull()
    expect(decodeUtf8([0xf0, 0x9f, 0x98])).toBeNull()
    expect(decodeUtf8([0xc3, 0x41])).toBeNull()
    expect(decodeUtf8([0xc3, 0xc3])).toBeNull()
    expect(decodeUtf8([0xe2, 0x9c, 0x41])).toBeNull()
    // Bytes that lead no sequence, followed by continuation bytes, are refused, not read as a longer sequence.
    expect(decodeUtf8([0x80, 0x80, 0x80])).toBeNull()
    expect(decodeUtf8([0x80, 0x80, 0x80, 0x80])).toBeNull()
    expect(decodeUtf8([0xc0, 0x80, 0x80])).toBeNull()
    expect(decodeUtf8([0xf8, 0x80, 0x80, 0x80])).toBeNull()
  })
  it('R6: UTF-16 surrogates and code points above U+10FFFF are refused', () => {
    expect(decodeUtf8([0xed, 0xa0, 0x80])).toBeNull() // U+D800
    expect(decodeUtf8([0xed, 0xbf, 0xbf])).toBeNull() // U+DFFF
    expect(decodeUtf8([0xed, 0x9f, 0xbf])).toBe('\ud7ff')
    expect(decodeUtf8([0xee, 0x80, 0x80])).toBe('\ue000')
    expect(decodeUtf8([0xf4, 0x90, 0x80, 0x80])).toBeNull() // U+110000
    expect(decodeUtf8([0xf4, 0x8f, 0xbf, 0xbf])).toBe('\u{10ffff}')
  })
  it('R6: a header that is not UTF-8 makes the token DECRYPTION_FAILED', () => {
    const header = Buffer.from([0x7b, 0xc3, 0x7d]).toString('base64url')
    expect(codeOf(`${header}.${b64({ sub: 'u1', exp })}.c2ln`)).toBe('DECRYPTION_FAILED')
  })
})

describe('R6: splitting a token into header and payload', () => {
  it('R6: three parts whose first two are JSON objects; the signature may be empty', () => {
    const header = { alg: 'RS256', kid: 'k' }
    const payload = { sub: 'u1', exp }
    expect(decodeJwt(`${b64(header)}.${b64(payload)}.c2ln`)).toEqual(E.right({ header, payload }))
    expect(decodeJwt(`${b64(header)}.${b64(payload)}.`)).toEqual(E.right({ header, payload }))
  })
  it('R6: each malformation has its own reason', () => {
    const good = `${b64({ alg: 'RS256' })}.${b64({ sub: 'u1' })}`
    expect(decodeJwt('a.b.c.d')).toEqual(E.left('expected 3 dot-separated parts, got 4'))
    expect(decodeJwt('ab')).toEqual(E.left('expected 3 dot-separated parts, got 1'))
    expect(decodeJwt(`${good}.!!`)).toEqual(E.left('signature is not base64url'))
    expect(decodeJwt(`${good}.Y`)).toEqual(E.left('signature is not base64url'))
    expect(decodeJwt(`!!.${b64({})}.c2ln`)).toEqual(E.left('header is not base64url JSON'))
    expect(decodeJwt(`${b64({})}.!!.c2ln`)).toEqual(E.left('payload is not base64url JSON'))
  })
  it('R6: JSON that is not an object (array, null, number, string), or not JSON, is not a header or payload', () => {
    for (const part of [b64([1]), b64('null'), b64('42'), b64('"text"'), b64('{"a":'), b64('true')]) {
      expect(E.isLeft(decodeJwt(`${part}.${b64({})}.c2ln`)), part).toBe(true)
      expect(E.isLeft(decodeJwt(`${b64({})}.${part}.c2ln`)), part).toBe(true)
    }
  })
  it('R6: the subject is a non-empty sub string or a non-empty sub.value string, else none', () => {
    expect(subjectOf({ sub: 'u1' })).toBe('u1')
    expect(subjectOf({ sub: '' })).toBeNull()
    expect(subjectOf({ sub: { key: 'uid', value: 'u1' } })).toBe('u1')
    expect(subjectOf({ sub: { key: 'uid', value: '' } })).toBeNull()
    expect(subjectOf({ sub: { key: 'uid', value: 7 } })).toBeNull()
    expect(subjectOf({ sub: { key: 'uid' } })).toBeNull()
    expect(subjectOf({ sub: null })).toBeNull()
    expect(subjectOf({ sub: 7 })).toBeNull()
    expect(subjectOf({})).toBeNull()
  })
  it('R6: exp counts only as a finite number, in seconds', () => {
    expect(expiryMsOf({ exp: 1_700_000_000 })).toBe(1_700_000_000_000)
    expect(expiryMsOf({ exp: 0 })).toBe(0)
    expect(expiryMsOf({ exp: '1700000000' })).toBeNull()
    expect(expiryMsOf({ exp: Number.POSITIVE_INFINITY })).toBeNull()
    expect(expiryMsOf({ exp: Number.NaN })).toBeNull()
    expect(expiryMsOf({})).toBeNull()
  })
})

describe('R6: the client checks, at their edges', () => {
  it('R6: expired exactly at now - clockSkewMs >= exp', () => {
    const atMs = (expiresAt: number) => isExpired(expiresAt, { clockSkewMs: 60_000, now })
    expect(E.isLeft(atMs(now - 60_000))).toBe(true)
    expect(E.isRight(atMs(now - 60_000 + 1))).toBe(true)
    expect(atMs(now - 60_001)).toEqual(E.left({ code: 'TIME_CONSTRAINT_FAILURE', message: 'token has expired' }))
    // Through checkToken, in whole seconds: exp = now - skew is expired, one second later is not.
    const skewSeconds = 60
    expect(codeOf(makeToken({ sub: 'u1', exp: now / 1000 - skewSeconds }))).toBe('TIME_CONSTRAINT_FAILURE')
    expect(codeOf(makeToken({ sub: 'u1', exp: now / 1000 - skewSeconds + 1 }))).toBe('OK')
    expect(codeOf(makeToken({ sub: 'u1', exp: now / 1000 }), 'u1', { ...options, clockSkewMs: 0 })).toBe('TIME_CONSTRAINT_FAILURE')
  })
  it('R6 R7: each failed check tells the app why (the message of the Left and of the listener\'s error)', () => {
    const messageOf = (token: string, opts = options) => {
      const result = checkToken(token, 'u1', opts)
      return E.isLeft(result) ? result.left.message : 'OK'
    }
    expect(messageOf('abc')).toBe('token is not a JWT: expected 3 dot-separated parts, got 1')
    expect(messageOf(makeToken({ sub: 'u1', exp, alg: 'HS256' }))).toBe('alg "HS256" is not one of RS256, RS512')
    expect(messageOf(makeToken({ sub: 'u1', exp, typ: 'JWS' }))).toBe('typ "JWS" is not JWT')
    expect(messageOf(makeToken({ sub: 'u1' }))).toBe('token has no exp claim')
    expect(messageOf(makeToken({ exp }))).toBe('token has no subject (sub)')
    expect(messageOf(makeToken({ sub: 'u2', exp }))).toBe('token subject does not match the identifier')
  })
  it('R6: a typ that is not a string is HEADER_TYPE_INCOMPATIBLE, never a throw', () => {
    for (const typ of [7, null, true, { t: 'JWT' }, ['JWT']]) {
      const token = `${b64({ alg: 'RS256', typ })}.${b64({ sub: 'u1', exp })}.c2ln`
      expect(codeOf(token), JSON.stringify(typ)).toBe('HEADER_TYPE_INCOMPATIBLE')
    }
    expect(codeOf(makeToken({ sub: 'u1', exp, typ: 'Jwt' }))).toBe('OK')
    expect(codeOf(makeToken({ sub: 'u1', exp, typ: '' }))).toBe('HEADER_TYPE_INCOMPATIBLE')
  })
  it('R6: an alg that is missing or not a string is HEADER_TYPE_INCOMPATIBLE; allowedAlgorithms decides', () => {
    expect(codeOf(`${b64({ typ: 'JWT' })}.${b64({ sub: 'u1', exp })}.c2ln`)).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(codeOf(`${b64({ alg: ['RS256'] })}.${b64({ sub: 'u1', exp })}.c2ln`)).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(codeOf(makeToken({ sub: 'u1', exp, alg: 'RS384' }))).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(codeOf(makeToken({ sub: 'u1', exp, alg: 'RS384' }), 'u1', { ...options, allowedAlgorithms: ['RS384'] })).toBe('OK')
    expect(codeOf(makeToken({ sub: 'u1', exp, alg: 'RS256' }), 'u1', { ...options, allowedAlgorithms: ['RS384'] })).toBe('HEADER_TYPE_INCOMPATIBLE')
  })
  it('R6: the checks run in order: the first failing check gives the code', () => {
    // Bad alg and no exp: the header check comes first.
    expect(codeOf(makeToken({ alg: 'HS256' }))).toBe('HEADER_TYPE_INCOMPATIBLE')
    // No exp and wrong subject: PAYLOAD_CONTENT_MISSING before IDENTIFIER_MISMATCH.
    expect(codeOf(makeToken({ sub: 'u2' }))).toBe('PAYLOAD_CONTENT_MISSING')
    // Wrong subject and expired: IDENTIFIER_MISMATCH before TIME_CONSTRAINT_FAILURE.
    expect(codeOf(makeToken({ sub: 'u2', exp: 1 }))).toBe('IDENTIFIER_MISMATCH')
    expect(codeOf(makeToken({ sub: '', exp }))).toBe('PAYLOAD_CONTENT_MISSING')
  })
})

describe('R18: fingerprints', () => {
  it('R18: kid is cut to 24 characters, a non-string kid or exp is left out, an empty signature hashes the token', () => {
    const header = (fields: Record<string, unknown>) => b64({ alg: 'RS256', ...fields })
    const payload = b64({ sub: 'u1' })
    const long = `${header({ kid: 'k'.repeat(30) })}.${payload}.c2ln`
    expect(fingerprintToken(long)).toBe(`jwt(kid=${'k'.repeat(24)} #${fnv1a32('c2ln')})`)
    expect(fingerprintToken(`${header({ kid: 7 })}.${b64({ exp: 'soon' })}.c2ln`)).toBe(`jwt(#${fnv1a32('c2ln')})`)
    const unsigned = `${header({})}.${payload}.`
    expect(fingerprintToken(unsigned)).toBe(`jwt(#${fnv1a32(unsigned)})`)
  })
  it('R18: an exp too large for a date is shown as its number', () => {
    const token = `${b64({ alg: 'RS256' })}.${b64({ exp: 1e20 })}.c2ln`
    expect(fingerprintToken(token)).toBe(`jwt(exp=100000000000000000000 #${fnv1a32('c2ln')})`)
    const dated = `${b64({ alg: 'RS256' })}.${b64({ exp: 0 })}.c2ln`
    expect(fingerprintToken(dated)).toBe(`jwt(exp=1970-01-01T00:00Z #${fnv1a32('c2ln')})`)
  })
  it('R18: fnv1a32 is 32-bit FNV-1a (published test vectors), as 8 hex digits', () => {
    expect(fnv1a32('')).toBe('811c9dc5')
    expect(fnv1a32('a')).toBe('e40c292c')
    expect(fnv1a32('foobar')).toBe('bf9cf968')
    expect(fnv1a32('\u0001')).toMatch(/^[0-9a-f]{8}$/)
    // Leading zeros are kept: always 8 digits.
    expect(fnv1a32('t0')).toBe('0944ee69')
  })
  it('R7 R11: the digest of a refused token is stable across versions (it is persisted) and 64 bits wide', () => {
    // Digests are stored: a change of hash64 would make a relaunched SDK forget which tokens the
    // server refused (S1). These values pin the function.
    expect(['', 'a', 'token', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln'].map(hash64)).toEqual([
      '488bdcb81aee8d83',
      '501c2ba782c97901',
      '226b8be79df43180',
      'f82f48cc2eccc376',
    ])
    // Each 32-bit half keeps its leading zeros: always 16 digits.
    expect(hash64('t20')).toBe('087edf7074d17d32')
    expect(hash64('t2')).toBe('dfad6408025098f5')
    expect(hash64('ab')).not.toBe(hash64('ba'))
  })
})

describe('Error codes (docs/rules.md)', () => {
  it('R7: each code has the numeric code of the table', () => {
    expect(JWT_ERROR_CODES).toEqual({
      DECRYPTION_FAILED: 4000,
      HEADER_TYPE_INCOMPATIBLE: 4001,
      PAYLOAD_CONTENT_MISSING: 4002,
      INVALID_SIGNATURE: 4003,
      IDENTIFIER_MISMATCH: 4004,
      TOKEN_NOT_AVAILABLE: 4005,
      TIME_CONSTRAINT_FAILURE: 4010,
      UNKNOWN: 4999,
    })
  })
  it('R7: only the codes of the table are JWT error codes (not inherited names, not other types)', () => {
    expect(isJwtErrorCode('UNKNOWN')).toBe(true)
    expect(isJwtErrorCode('toString')).toBe(false)
    expect(isJwtErrorCode('constructor')).toBe(false)
    expect(isJwtErrorCode(4000)).toBe(false)
    expect(isJwtErrorCode(undefined)).toBe(false)
    expect(isJwtErrorCode(['UNKNOWN'])).toBe(false)
  })
})
