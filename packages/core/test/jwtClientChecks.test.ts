import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { checkToken, decodeJwt, fingerprintToken } from '@jwt-sync/core'
import { redactFields } from '../src/runtime/redaction.js'
import { makeToken } from './harness.js'

const now = Date.UTC(2026, 0, 1)
const options = { allowedAlgorithms: ['RS256', 'RS512'], clockSkewMs: 60_000, now }
const exp = Math.floor(now / 1000) + 600
const codeOf = (token: string, identifier = 'u1', opts = options) => {
  const result = checkToken(token, identifier, opts)
  return E.isLeft(result) ? result.left.code : 'OK'
}

describe('R6: client checks before a token is used', () => {
  it('R6: a valid token passes and yields its expiry', () => {
    expect(checkToken(makeToken({ sub: 'u1', exp }), 'u1', options)).toEqual(E.right({ expiresAt: exp * 1000 }))
  })
  it('R6: not three base64url JSON parts -> DECRYPTION_FAILED', () => {
    expect(codeOf('abc')).toBe('DECRYPTION_FAILED')
    expect(codeOf('a.b')).toBe('DECRYPTION_FAILED')
    expect(codeOf('!!!.???.sig')).toBe('DECRYPTION_FAILED')
    expect(codeOf(`${Buffer.from('not json').toString('base64url')}.e30.c2ln`)).toBe('DECRYPTION_FAILED')
    expect(codeOf(makeToken({ sub: 'u1', exp }).replace(/\.[^.]+$/, '.!'))).toBe('DECRYPTION_FAILED')
    expect(codeOf(makeToken({ sub: 'u1', exp, alg: 'none' }).replace(/\.[^.]+$/, '.'))).toBe('HEADER_TYPE_INCOMPATIBLE')
  })
  it('R6: alg outside the allowed set or typ other than JWT -> HEADER_TYPE_INCOMPATIBLE', () => {
    expect(codeOf(makeToken({ sub: 'u1', exp, alg: 'HS256' }))).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(codeOf(makeToken({ sub: 'u1', exp, alg: 'none' }))).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(codeOf(makeToken({ sub: 'u1', exp, typ: 'JWS' }))).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(codeOf(makeToken({ sub: 'u1', exp, typ: 'jwt' }))).toBe('OK')
    expect(codeOf(makeToken({ sub: 'u1', exp, alg: 'RS512' }))).toBe('OK')
  })
  it('R6: no exp or no subject -> PAYLOAD_CONTENT_MISSING', () => {
    expect(codeOf(makeToken({ sub: 'u1' }))).toBe('PAYLOAD_CONTENT_MISSING')
    expect(codeOf(makeToken({ exp }))).toBe('PAYLOAD_CONTENT_MISSING')
  })
  it('R6: subject differs -> IDENTIFIER_MISMATCH; sub.value is the subject and sub.key is not checked', () => {
    expect(codeOf(makeToken({ sub: 'u2', exp }))).toBe('IDENTIFIER_MISMATCH')
    expect(codeOf(makeToken({ sub: { key: 'anything', value: 'u1' }, exp }))).toBe('OK')
    expect(codeOf(makeToken({ sub: { key: 'uid', value: 'u2' }, exp }))).toBe('IDENTIFIER_MISMATCH')
  })
  it('R6: expired allowing clock skew -> TIME_CONSTRAINT_FAILURE (expired when now - skew >= exp)', () => {
    const at = (expSeconds: number) => codeOf(makeToken({ sub: 'u1', exp: expSeconds }))
    expect(at(Math.floor((now - 60_000) / 1000))).toBe('TIME_CONSTRAINT_FAILURE')
    expect(at(Math.floor((now - 59_000) / 1000))).toBe('OK')
  })
  it('R6: decodes UTF-8 claims without atob or Buffer', () => {
    const token = makeToken({ sub: 'üser-✓', exp })
    const decoded = decodeJwt(token)
    expect(E.isRight(decoded) && decoded.right.payload['sub']).toBe('üser-✓')
  })
})

describe('R18: tokens never reach a log in full', () => {
  it('R18: redaction replaces a token by its fingerprint, never by a prefix', () => {
    const token = makeToken({ sub: 'u1', exp })
    const fields = redactFields({ token, nested: { authorization: token, list: [token] }, other: 'plain' })
    expect(JSON.stringify(fields)).not.toContain(token.slice(0, 9))
    expect(fields['token']).toBe(fingerprintToken(token))
    expect(fields['other']).toBe('plain')
  })
  it('R18: fingerprints tell apart tokens that share every character but the signature', () => {
    const token = makeToken({ sub: 'u1', exp, nonce: 'same' })
    const other = `${token.slice(0, token.lastIndexOf('.') + 1)}b3RoZXI`
    expect(fingerprintToken(token)).not.toBe(fingerprintToken(other))
    expect(fingerprintToken(token)).toBe(fingerprintToken(token))
  })
  it('R18: a fingerprint names kid and expiry and contains no part of the token', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'key-1' })).toString('base64url')
    const payload = Buffer.from(JSON.stringify({ sub: 'u1', exp: 1_796_208_000 })).toString('base64url')
    const token = `${header}.${payload}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`
    const fingerprint = fingerprintToken(token)
    expect(fingerprint).toMatch(/^jwt\(kid=key-1 exp=2026-12-02T10:40Z #[0-9a-f]{8}\)$/)
    for (const part of token.split('.')) expect(fingerprint).not.toContain(part.slice(0, 8))
    expect(fingerprintToken('opaque-token')).toMatch(/^token\(12 chars #[0-9a-f]{8}\)$/)
  })
})
