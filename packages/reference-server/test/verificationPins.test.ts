// Tests that pin the server's token verification exactly, called directly (no HTTP): each check's
// verdict, code and explanation at its edges (docs/wire-protocol.md, "How the reference server
// checks a batch"; R6's rules on the server side). Each kills mutants that the HTTP tests let live
// (mutation/README.md). A mutant that survives here is a token the server would judge wrongly.
import { createPrivateKey, sign as cryptoSign } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { parseTrustedKey, type TrustedKey } from '../src/keys/trustedKey.js'
import { DEFAULT_ALGORITHMS, RSA_ALGORITHMS, isRsaAlgorithm } from '../src/verification/algorithms.js'
import { readTokenShape, subjectOf } from '../src/verification/tokenShape.js'
import { bearerTokenOf, verifyToken, type VerificationContext } from '../src/verification/verifyToken.js'
import { testIssuer } from './support/issuer.js'

const issuer = testIssuer()
const other = testIssuer()
const privateKey = createPrivateKey(issuer.privateKeyPem)
const NOW = Date.UTC(2026, 10, 28, 9)
const NOW_S = NOW / 1000
const keyOf = (pem: string, kid: string): TrustedKey => {
  const parsed = parseTrustedKey(pem, { kid, now: NOW })
  if (E.isLeft(parsed)) throw new Error(parsed.left)
  return parsed.right
}
const KEY = keyOf(issuer.publicKeyPem, issuer.kid)
const OTHER_KEY = keyOf(other.publicKeyPem, 'other-kid')

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
/** RS256 by hand with the issuer's key: any header and claims, exactly as given. */
const signedPayload = (payloadJson: string, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: issuer.kid }): string => {
  const input = `${b64(header)}.${Buffer.from(payloadJson).toString('base64url')}`
  const algorithm = header['alg'] === 'RS512' ? 'sha512' : header['alg'] === 'RS384' ? 'sha384' : 'sha256'
  return `${input}.${cryptoSign(algorithm, Buffer.from(input), privateKey).toString('base64url')}`
}
const signed = (claims: Record<string, unknown>, header?: Record<string, unknown>): string => signedPayload(JSON.stringify(claims), header)

const context = (overrides: Partial<VerificationContext> = {}): VerificationContext => ({
  keys: [KEY],
  allowedAlgorithms: ['RS256', 'RS512'],
  clockSkewMs: 60_000,
  maxTokenBytes: 8192,
  now: NOW,
  identifier: 'alice',
  ...overrides,
})
const good = { sub: 'alice', exp: NOW_S + 600 }

/** `check:verdict` for every check run, and the decision's code (or the accepted token). */
const explain = async (token: string | null, overrides: Partial<VerificationContext> = {}, mode: 'explain' | 'decide' = 'explain') => {
  const verdict = await verifyToken(token, context(overrides), mode)
  return {
    checks: verdict.checks.map((check) => `${check.check}:${check.verdict}`),
    decision: E.isLeft(verdict.decision) ? verdict.decision.left.code : verdict.decision.right,
    details: Object.fromEntries(verdict.checks.map((check) => [check.check, check.detail])),
    codes: Object.fromEntries(verdict.checks.map((check) => [check.check, check.code])),
    rejection: E.isLeft(verdict.decision) ? verdict.decision.left : null,
  }
}
const codeOf = async (token: string | null, overrides: Partial<VerificationContext> = {}) => (await explain(token, overrides, 'decide')).decision

const ALL_PASS = ['token-present:pass', 'size:pass', 'structure:pass', 'header:pass', 'claims:pass', 'signature:pass', 'time:pass', 'subject:pass']

describe('server verification: an accepted token', () => {
  it('R3: a valid token passes every check, in protocol order, and yields subject, kid and expiry', async () => {
    const result = await explain(signed(good))
    expect(result.checks).toEqual(ALL_PASS)
    expect(result.decision).toEqual({ subject: 'alice', kid: issuer.kid, expiresAt: (NOW_S + 600) * 1000 })
    expect(result.codes).toEqual({
      'token-present': 'TOKEN_NOT_AVAILABLE',
      size: 'DECRYPTION_FAILED',
      structure: 'DECRYPTION_FAILED',
      header: 'HEADER_TYPE_INCOMPATIBLE',
      claims: 'PAYLOAD_CONTENT_MISSING',
      signature: 'INVALID_SIGNATURE',
      time: 'TIME_CONSTRAINT_FAILURE',
      subject: 'IDENTIFIER_MISMATCH',
    })
    // What `jwt-sync verify` prints for each passed check.
    const size = Buffer.byteLength(signed(good))
    expect(result.details).toEqual({
      'token-present': 'bearer token present',
      size: `${size} bytes (at most 8192)`,
      structure: 'JWS compact: base64url JSON header and payload',
      header: 'alg RS256, typ JWT',
      claims: 'exp and subject present',
      signature: `verified with key ${issuer.kid}`,
      time: `valid until ${new Date((NOW_S + 600) * 1000).toISOString()} (skew 60000 ms)`,
      subject: 'subject matches "alice"',
    })
    expect((await explain(signed(good, { alg: 'RS512', kid: issuer.kid }))).details['header']).toBe('alg RS512')
  })
  it('R3: the subject may be {key, value}; without identifier the subject check is skipped', async () => {
    expect((await explain(signed({ sub: { key: 'uid', value: 'alice' }, exp: NOW_S + 600 }))).decision).toMatchObject({ subject: 'alice' })
    const unchecked = await explain(signed({ sub: 'bob', exp: NOW_S + 600 }), { identifier: null })
    expect(unchecked.checks.at(-1)).toBe('subject:skip')
    expect(unchecked.details['subject']).toBe('not checked: no identifier given (subject is "bob")')
    expect(unchecked.decision).toMatchObject({ subject: 'bob' })
  })
  it('R3: without a key (jwt-sync verify without --key) the signature is skipped, not passed, and no kid is claimed', async () => {
    const result = await explain(signed(good), { verifySignature: false, keys: [] })
    expect(result.checks[5]).toBe('signature:skip')
    expect(result.details['signature']).toBe('not checked: no public key given')
    expect(result.codes['signature']).toBe('INVALID_SIGNATURE')
    expect(result.decision).toEqual({ subject: 'alice', kid: '', expiresAt: (NOW_S + 600) * 1000 })
    expect((await explain(signed(good), { verifySignature: true })).checks[5]).toBe('signature:pass')
  })
})

describe('server verification: each check at its edges', () => {
  it('step 3: no token, or an empty one -> TOKEN_NOT_AVAILABLE; every later check is skipped', async () => {
    const none = await explain(null)
    expect(none.checks).toEqual(['token-present:fail', 'size:skip', 'structure:skip', 'header:skip', 'claims:skip', 'signature:skip', 'time:skip', 'subject:skip'])
    expect(none.decision).toBe('TOKEN_NOT_AVAILABLE')
    expect(none.rejection).toEqual({ code: 'TOKEN_NOT_AVAILABLE', numericCode: 4005, message: 'no bearer token in the Authorization header' })
    const verdict = await verifyToken(null, context(), 'explain')
    expect(verdict.checks).toEqual([
      { check: 'token-present', verdict: 'fail', code: 'TOKEN_NOT_AVAILABLE', detail: 'no bearer token in the Authorization header' },
      { check: 'size', verdict: 'skip', code: 'DECRYPTION_FAILED', detail: 'no token' },
      { check: 'structure', verdict: 'skip', code: 'DECRYPTION_FAILED', detail: 'no token' },
      { check: 'header', verdict: 'skip', code: 'HEADER_TYPE_INCOMPATIBLE', detail: 'token not decodable' },
      { check: 'claims', verdict: 'skip', code: 'PAYLOAD_CONTENT_MISSING', detail: 'token not decodable' },
      { check: 'signature', verdict: 'skip', code: 'INVALID_SIGNATURE', detail: 'token not decodable' },
      { check: 'time', verdict: 'skip', code: 'TIME_CONSTRAINT_FAILURE', detail: 'token not decodable' },
      { check: 'subject', verdict: 'skip', code: 'IDENTIFIER_MISMATCH', detail: 'no subject' },
    ])
    expect(await codeOf('')).toBe('TOKEN_NOT_AVAILABLE')
  })
  it('step 4: exactly maxTokenBytes passes, one byte more fails, counted in UTF-8 bytes', async () => {
    const token = signed(good)
    const bytes = Buffer.byteLength(token)
    expect((await explain(token, { maxTokenBytes: bytes })).checks[1]).toBe('size:pass')
    const over = await explain(token, { maxTokenBytes: bytes - 1 })
    expect(over.checks).toEqual(['token-present:pass', 'size:fail', 'structure:pass', 'header:pass', 'claims:pass', 'signature:pass', 'time:pass', 'subject:pass'])
    expect(over.rejection).toEqual({ code: 'DECRYPTION_FAILED', numericCode: 4000, message: `token is ${bytes} bytes, more than the ${bytes - 1} allowed` })
    expect((await explain('ééé', { maxTokenBytes: 5 })).checks[1]).toBe('size:fail')
    expect((await explain('ééé', { maxTokenBytes: 6 })).checks[1]).toBe('size:pass')
  })
  it('step 4: not a JWS compact -> DECRYPTION_FAILED, with the reason', async () => {
    const [header = '', payload = ''] = signed(good).split('.')
    const reason = async (token: string) => (await explain(token)).rejection?.message
    expect(await reason('a.b')).toBe('expected 3 dot-separated parts (JWS compact), got 2')
    expect(await reason(`${header}.${payload}.sig+/`)).toBe('signature part is not base64url')
    expect(await reason(`.${payload}.c2ln`)).toBe('header is not base64url-encoded JSON object')
    expect(await reason(`${header}.${b64([1])}.c2ln`)).toBe('payload is not base64url-encoded JSON object')
    expect(await reason(`${header}.${b64(null)}.c2ln`)).toBe('payload is not base64url-encoded JSON object')
    const result = await explain('a.b')
    expect(result.checks.slice(2)).toEqual(['structure:fail', 'header:skip', 'claims:skip', 'signature:skip', 'time:skip', 'subject:skip'])
    expect(result.details['header']).toBe('token not decodable')
  })
  it('step 5: alg not allowed, typ other than JWT (a non-string too), or any crit -> HEADER_TYPE_INCOMPATIBLE', async () => {
    const header = async (fields: Record<string, unknown>, overrides: Partial<VerificationContext> = {}) => (await explain(signed(good, { kid: issuer.kid, ...fields }), overrides)).rejection?.message ?? 'accepted'
    expect(await header({ alg: 'RS256', typ: 'jwt' })).toBe('accepted')
    expect(await header({ alg: 'RS256' })).toBe('accepted')
    expect(await header({ alg: 'RS384' })).toBe('alg "RS384" is not one of RS256, RS512')
    expect(await header({})).toBe('alg undefined is not one of RS256, RS512')
    expect(await header({ alg: 'RS256' }, { allowedAlgorithms: ['RS512'] })).toBe('alg "RS256" is not one of RS512')
    expect(await header({ alg: 'RS256', typ: 'JWS' })).toBe('typ "JWS" is not JWT')
    expect(await header({ alg: 'RS256', typ: 7 })).toBe('typ 7 is not JWT')
    expect(await header({ alg: 'RS256', typ: null })).toBe('typ null is not JWT')
    expect(await header({ alg: 'RS256', crit: [] })).toBe('crit [] names extensions the server does not support')
    expect(await header({ alg: 'RS256', crit: null })).toBe('crit null names extensions the server does not support')
    const failed = async (fields: Record<string, unknown>) => (await verifyToken(signed(good, { kid: issuer.kid, ...fields }), context(), 'decide')).checks.at(-1)
    expect(await failed({ alg: 'HS256' })).toEqual({ check: 'header', verdict: 'fail', code: 'HEADER_TYPE_INCOMPATIBLE', detail: 'alg "HS256" is not one of RS256, RS512' })
    expect(await failed({ alg: 'RS256', typ: 'JWS' })).toEqual({ check: 'header', verdict: 'fail', code: 'HEADER_TYPE_INCOMPATIBLE', detail: 'typ "JWS" is not JWT' })
    expect(await failed({ alg: 'RS256', crit: ['b64'] })).toEqual({ check: 'header', verdict: 'fail', code: 'HEADER_TYPE_INCOMPATIBLE', detail: 'crit ["b64"] names extensions the server does not support' })
  })
  it('step 6: exp must be a finite number and a subject present -> PAYLOAD_CONTENT_MISSING', async () => {
    const claims = async (payload: Record<string, unknown>) => (await explain(signed(payload))).rejection?.message ?? 'accepted'
    expect(await claims({ sub: 'alice' })).toBe('no exp claim')
    expect(await claims({ sub: 'alice', exp: 'soon' })).toBe('exp "soon" is not a number')
    expect(await claims({ sub: 'alice', exp: null })).toBe('exp null is not a number')
    expect(await claims({ exp: NOW_S + 600 })).toBe('no subject: sub must be a string or {key, value}')
    expect(await claims({ sub: ['alice'], exp: NOW_S + 600 })).toBe('no subject: sub must be a string or {key, value}')
    const missing = await explain(signed({ sub: 'alice' }))
    // Without exp the time check has nothing to decide: skipped, not passed.
    expect(missing.checks).toEqual(['token-present:pass', 'size:pass', 'structure:pass', 'header:pass', 'claims:fail', 'signature:pass', 'time:skip', 'subject:skip'])
    expect(missing.details['time']).toBe('no exp')
    expect((await verifyToken(signed({ exp: NOW_S + 600 }), context(), 'decide')).checks.at(-1)).toEqual({
      check: 'claims',
      verdict: 'fail',
      code: 'PAYLOAD_CONTENT_MISSING',
      detail: 'no subject: sub must be a string or {key, value}',
    })
    expect((await verifyToken(signed({ sub: 'alice', exp: 'soon' }), context(), 'decide')).checks.at(-1)).toMatchObject({ check: 'claims', verdict: 'fail', code: 'PAYLOAD_CONTENT_MISSING' })
    // An exp too large for a number (JSON 1e400 reads as Infinity) is no date: never a token that never expires.
    expect(await codeOf(signedPayload('{"sub":"alice","exp":1e400}'))).toBe('PAYLOAD_CONTENT_MISSING')
    expect(await codeOf(signedPayload('{"sub":"alice","exp":-1e400}'))).toBe('PAYLOAD_CONTENT_MISSING')
    const textual = await explain(signed({ sub: 'alice', exp: 'soon' }))
    expect(textual.checks[6]).toBe('time:skip')
    expect(textual.details['time']).toBe('no numeric exp')
    expect((await verifyToken(signed({ sub: 'alice' }), context(), 'explain')).checks[6]).toEqual({ check: 'time', verdict: 'skip', code: 'TIME_CONSTRAINT_FAILURE', detail: 'no exp' })
    expect((await verifyToken(signed({ sub: 'alice', exp: 'x' }), context(), 'explain')).checks[6]).toEqual({ check: 'time', verdict: 'skip', code: 'TIME_CONSTRAINT_FAILURE', detail: 'no numeric exp' })
  })
  it('step 7: kid chooses the key; without kid every key is tried; a kid that is not a string, no key, or a foreign signature -> INVALID_SIGNATURE', async () => {
    const signature = async (token: string, keys: readonly TrustedKey[]) => {
      const result = await explain(token, { keys })
      return result.checks[5] === 'signature:pass' ? `pass ${result.details['signature']}` : result.details['signature']
    }
    const noKid = signed(good, { alg: 'RS256' })
    expect(await signature(noKid, [OTHER_KEY, KEY])).toBe(`pass verified with key ${issuer.kid}`)
    expect((await explain(noKid, { keys: [OTHER_KEY, KEY] })).decision).toMatchObject({ kid: issuer.kid })
    expect(await signature(noKid, [OTHER_KEY])).toMatch(/^signature valid for none of the app's 1 key\(s\) \(ERR_JWS_SIGNATURE_VERIFICATION_FAILED\)$/)
    expect(await signature(signed(good), [OTHER_KEY])).toBe(`no public key with kid "${issuer.kid}"`)
    expect(await signature(signed(good, { alg: 'RS256', kid: 'other-kid' }), [OTHER_KEY, KEY])).toBe('signature not valid for key other-kid (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)')
    expect(await signature(signed(good, { alg: 'RS256', kid: 7 }), [KEY])).toBe('kid 7 is not a string')
    expect(await signature(signed(good), [])).toBe('the app has no public key')
    expect(await codeOf(signed(good), { keys: [] })).toBe('INVALID_SIGNATURE')
    // The key is used only with the allowed algorithms (jose is told which).
    const rs512 = signed(good, { alg: 'RS512', kid: issuer.kid })
    expect((await explain(rs512)).checks[5]).toBe('signature:pass')
    const rs384 = signed(good, { alg: 'RS384', kid: issuer.kid })
    expect((await explain(rs384)).checks.slice(3, 6)).toEqual(['header:fail', 'claims:pass', 'signature:fail'])
    expect((await explain(rs384, { allowedAlgorithms: ['RS384'] })).checks[5]).toBe('signature:pass')
  })
  it('step 8: expired exactly at now - skew >= exp, as the client (R6)', async () => {
    const at = async (exp: number, skew = 60_000) => (await explain(signed({ sub: 'alice', exp }), { clockSkewMs: skew })).checks[6]
    expect(await at(NOW_S - 60)).toBe('time:fail')
    expect(await at(NOW_S - 59)).toBe('time:pass')
    expect(await at(NOW_S, 0)).toBe('time:fail')
    expect(await at(NOW_S + 1, 0)).toBe('time:pass')
    const expired = await explain(signed({ sub: 'alice', exp: NOW_S - 61 }))
    expect(expired.rejection).toEqual({ code: 'TIME_CONSTRAINT_FAILURE', numericCode: 4010, message: `expired at ${new Date((NOW_S - 61) * 1000).toISOString()} (skew 60000 ms)` })
  })
  it('step 8: nbf up to the skew ahead passes; iat up to the skew ahead passes; non-numbers fail', async () => {
    const at = async (claims: Record<string, unknown>, skew = 60_000) => (await explain(signed({ ...good, ...claims }), { clockSkewMs: skew })).rejection?.message ?? 'time:pass'
    const timeCheck = async (claims: Record<string, unknown>) => (await verifyToken(signed({ ...good, ...claims }), context(), 'explain')).checks[6]
    expect(await timeCheck({ nbf: NOW_S + 61 })).toMatchObject({ check: 'time', verdict: 'fail', code: 'TIME_CONSTRAINT_FAILURE' })
    expect(await timeCheck({ nbf: 'x' })).toMatchObject({ check: 'time', verdict: 'fail', code: 'TIME_CONSTRAINT_FAILURE' })
    expect(await timeCheck({ iat: NOW_S + 61 })).toMatchObject({ check: 'time', verdict: 'fail', code: 'TIME_CONSTRAINT_FAILURE' })
    expect(await timeCheck({ iat: 'x' })).toMatchObject({ check: 'time', verdict: 'fail', code: 'TIME_CONSTRAINT_FAILURE' })
    expect(await timeCheck({ exp: NOW_S - 61 })).toMatchObject({ check: 'time', verdict: 'fail', code: 'TIME_CONSTRAINT_FAILURE' })
    expect(await timeCheck({})).toMatchObject({ check: 'time', verdict: 'pass', code: 'TIME_CONSTRAINT_FAILURE' })
    expect(await at({ nbf: NOW_S + 60 })).toBe('time:pass')
    expect(await at({ nbf: NOW_S + 61 })).toBe(`not valid before ${new Date((NOW_S + 61) * 1000).toISOString()} (skew 60000 ms)`)
    expect(await at({ nbf: NOW_S }, 0)).toBe('time:pass')
    expect(await at({ nbf: NOW_S + 1 }, 0)).toMatch(/^not valid before/)
    expect(await at({ nbf: 'now' })).toBe('nbf "now" is not a number')
    expect(await at({ iat: NOW_S + 60 })).toBe('time:pass')
    expect(await at({ iat: NOW_S + 61 })).toBe(`issued in the future at ${new Date((NOW_S + 61) * 1000).toISOString()} (skew 60000 ms)`)
    expect(await at({ iat: NOW_S }, 0)).toBe('time:pass')
    expect(await at({ iat: NOW_S + 1 }, 0)).toMatch(/^issued in the future/)
    expect(await at({ iat: 'then' })).toBe('iat "then" is not a number')
    expect(await at({ nbf: NOW_S - 3600, iat: NOW_S - 3600 })).toBe('time:pass')
  })
  it('step 9: a subject other than the identifier -> IDENTIFIER_MISMATCH', async () => {
    const result = await explain(signed({ sub: 'bob', exp: NOW_S + 600 }))
    expect(result.checks.at(-1)).toBe('subject:fail')
    expect(result.rejection).toEqual({ code: 'IDENTIFIER_MISMATCH', numericCode: 4004, message: 'subject "bob" is not the batch identity "alice"' })
    expect((await verifyToken(signed({ sub: 'bob', exp: NOW_S + 600 }), context(), 'explain')).checks.at(-1)).toMatchObject({ check: 'subject', verdict: 'fail', code: 'IDENTIFIER_MISMATCH' })
    expect((await verifyToken(signed({ sub: 'bob', exp: NOW_S + 600 }), context({ identifier: null }), 'explain')).checks.at(-1)).toMatchObject({ check: 'subject', verdict: 'skip', code: 'IDENTIFIER_MISMATCH' })
  })
})

describe('server verification: the decision', () => {
  it('decide mode stops at the first failure; explain mode runs on and decides on the same one', async () => {
    const token = signed({ sub: 'bob', exp: NOW_S - 3600 }, { alg: 'RS256', kid: issuer.kid, typ: 'JWS' })
    const decided = await explain(token, {}, 'decide')
    expect(decided.checks).toEqual(['token-present:pass', 'size:pass', 'structure:pass', 'header:fail'])
    expect(decided.decision).toBe('HEADER_TYPE_INCOMPATIBLE')
    const explained = await explain(token)
    expect(explained.checks).toEqual(['token-present:pass', 'size:pass', 'structure:pass', 'header:fail', 'claims:pass', 'signature:pass', 'time:fail', 'subject:fail'])
    expect(explained.decision).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(explained.rejection).toEqual({ code: 'HEADER_TYPE_INCOMPATIBLE', numericCode: 4001, message: 'typ "JWS" is not JWT' })
  })
})

describe('server verification: helpers', () => {
  it('the bearer token of an Authorization header: scheme in any case, one token, nothing else', () => {
    expect(bearerTokenOf('Bearer abc.def.ghi')).toBe('abc.def.ghi')
    expect(bearerTokenOf('bearer abc')).toBe('abc')
    expect(bearerTokenOf('BEARER   abc  ')).toBe('abc')
    expect(bearerTokenOf('Bearer')).toBeNull()
    expect(bearerTokenOf('Bearer ')).toBeNull()
    expect(bearerTokenOf('Bearer a b')).toBeNull()
    expect(bearerTokenOf('Basic abc')).toBeNull()
    expect(bearerTokenOf('xBearer abc')).toBeNull()
    expect(bearerTokenOf('Bearerabc')).toBeNull()
    expect(bearerTokenOf(undefined)).toBeNull()
  })
  it('token shape: parts must be base64url (no padding, no +/), non-empty header and payload, JSON objects', () => {
    expect(readTokenShape(`${b64({ alg: 'RS256' })}.${b64({ sub: 'a' })}.`)).toEqual({ ok: true, shape: { header: { alg: 'RS256' }, payload: { sub: 'a' } } })
    expect(readTokenShape(`${b64({})}.${b64({})}.c2ln=`)).toEqual({ ok: false, reason: 'signature part is not base64url' })
    expect(readTokenShape(`${b64({})}.${b64({})}=.c2ln`)).toMatchObject({ ok: false, reason: 'payload is not base64url-encoded JSON object' })
    expect(readTokenShape(`${b64({})}..c2ln`)).toMatchObject({ ok: false })
    expect(readTokenShape(`${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${b64({})}.c2ln`)).toMatchObject({ ok: false, reason: 'header is not base64url-encoded JSON object' })
    expect(readTokenShape(`${b64('x')}.${b64({})}.c2ln`)).toMatchObject({ ok: false })
    // Invalid UTF-8 inside a JSON string would still parse if decoded leniently (as U+FFFD): refused.
    const lenient = Buffer.concat([Buffer.from('{"alg":"RS256","x":"'), Buffer.from([0xff]), Buffer.from('"}')]).toString('base64url')
    expect(readTokenShape(`${lenient}.${b64({})}.c2ln`)).toEqual({ ok: false, reason: 'header is not base64url-encoded JSON object' })
    expect(readTokenShape('a.b.c.d')).toEqual({ ok: false, reason: 'expected 3 dot-separated parts (JWS compact), got 4' })
  })
  it('the subject: a non-empty sub string, or a non-empty string sub.value of an object (not an array)', () => {
    expect(subjectOf({ sub: 'a' })).toBe('a')
    expect(subjectOf({ sub: '' })).toBeNull()
    expect(subjectOf({ sub: { value: 'a' } })).toBe('a')
    expect(subjectOf({ sub: { value: '' } })).toBeNull()
    expect(subjectOf({ sub: { value: 1 } })).toBeNull()
    expect(subjectOf({ sub: Object.assign(['x'], { value: 'a' }) })).toBeNull()
    expect(subjectOf({ sub: null })).toBeNull()
    expect(subjectOf({ sub: 1 })).toBeNull()
  })
  it('attack: only RSA algorithms exist for the server; RS256 and RS512 by default', () => {
    expect(RSA_ALGORITHMS).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])
    expect(DEFAULT_ALGORITHMS).toEqual(['RS256', 'RS512'])
    for (const alg of RSA_ALGORITHMS) expect(isRsaAlgorithm(alg)).toBe(true)
    for (const alg of ['HS256', 'none', 'rs256', '', 'ES256']) expect(isRsaAlgorithm(alg)).toBe(false)
    expect(isRsaAlgorithm(256)).toBe(false)
  })
})
