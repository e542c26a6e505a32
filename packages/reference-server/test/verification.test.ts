import { createHmac, createPrivateKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT, exportJWK } from 'jose'
import * as E from 'fp-ts/lib/Either.js'
import { JWT_ERROR_CODES, JwtErrorBodyCodec, fingerprintToken, type JwtErrorCode } from '@jwt-sync/core'
import { BAD_TOKEN_KINDS, formatLogEntry, resolveServerOptions, startReferenceServer, verifyToken, type BadTokenKind, type ReferenceServer } from '../src/index.js'
import { makeBatch, postBatch } from './support/batches.js'
import { testIssuer } from './support/issuer.js'

const APP = 'verify-app'
const issuer = testIssuer()
let server: ReferenceServer

beforeAll(async () => {
  server = await startReferenceServer({ apps: { [APP]: { publicKeys: [issuer.publicKeyPem] } } })
})
afterAll(async () => {
  await server.stop()
})

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** Sends a batch of `identifier` with `token`; returns the 401 code, or 'accepted' for a 200. */
const outcomeOf = async (token: string | undefined, identifier = 'alice', target = server): Promise<JwtErrorCode | 'accepted'> => {
  const answer = await postBatch(target.batchUrl(APP), makeBatch(identifier), token)
  if (answer.status === 200) return 'accepted'
  expect(answer.status).toBe(401)
  const body = JwtErrorBodyCodec.decode(answer.json)
  if (E.isLeft(body)) throw new Error(`not a JWT error body: ${answer.text}`)
  // Every refusal carries the numeric code that goes with its code (docs/rules.md, Error codes).
  expect(body.right.error.numericCode).toBe(JWT_ERROR_CODES[body.right.error.code])
  expect(body.right.error.message?.length ?? 0).toBeGreaterThan(0)
  return body.right.error.code
}

const privateKey = createPrivateKey(issuer.privateKeyPem)

/** A jose-signed RS256 token with the issuer's key and any claims and header fields. */
const signWith = (claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: issuer.kid, ...header }).sign(privateKey)

/** RS256 by hand, for headers jose refuses to produce (crit). */
const signRaw = (header: Record<string, unknown>, claims: Record<string, unknown>): string => {
  const input = `${b64(header)}.${b64(claims)}`
  return `${input}.${cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`
}

describe('reference server: token checks in protocol order, each with its code', () => {
  it('accepts a valid RS256 token and stores the items', async () => {
    const token = await issuer.issue({ identifier: 'alice' })
    const answer = await postBatch(server.batchUrl(APP), makeBatch('alice', 2), token)
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ accepted: 2, duplicates: 0 })
  })

  it('accepts RS512 by default, and a subject given as {key, value}', async () => {
    expect(await outcomeOf(await issuer.issue({ identifier: 'alice', algorithm: 'RS512' }))).toBe('accepted')
    expect(await outcomeOf(await issuer.issue({ identifier: 'alice', subjectAs: 'object' }))).toBe('accepted')
  })

  it('step 1: an anonymous batch needs no token', async () => {
    const answer = await postBatch(server.batchUrl(APP), makeBatch(null, 1))
    expect(answer.status).toBe(200)
  })

  it('step 3: no bearer token -> TOKEN_NOT_AVAILABLE (4005)', async () => {
    expect(await outcomeOf(undefined)).toBe('TOKEN_NOT_AVAILABLE')
    const basic = await postBatch(server.batchUrl(APP), makeBatch('alice'), undefined, { authorization: 'Basic YWxpY2U6cHc=' })
    expect(basic.status).toBe(401)
    expect(basic.json).toMatchObject({ error: { type: 'JWT', code: 'TOKEN_NOT_AVAILABLE', numericCode: 4005 } })
  })

  it('step 4: not a JWS compact with base64url JSON header and payload -> DECRYPTION_FAILED (4000)', async () => {
    const valid = await issuer.issue({ identifier: 'alice' })
    const [header = '', payload = '', signature = ''] = valid.split('.')
    for (const token of [
      'garbage',
      await issuer.issueBad('garbage', 'alice'),
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.extra.part`, // JWE-shaped
      `${Buffer.from('not json').toString('base64url')}.${payload}.${signature}`,
      `${header}.${b64([1, 2])}.${signature}`, // payload not an object
      `${header}.${payload}.sig+with/plain=base64`,
      `${header}.${Buffer.from([0xff, 0xfe]).toString('base64url')}.${signature}`, // not UTF-8
    ]) {
      expect(await outcomeOf(token), token).toBe('DECRYPTION_FAILED')
    }
  })

  it('step 4: a token over 8 KB is refused before any parsing -> DECRYPTION_FAILED', async () => {
    const big = await issuer.issue({ identifier: 'alice', claims: { padding: 'x'.repeat(9000) } })
    expect(Buffer.byteLength(big)).toBeGreaterThan(8192)
    expect(await outcomeOf(big)).toBe('DECRYPTION_FAILED')
    const roomy = await startReferenceServer({ maxTokenBytes: 32_768, apps: { [APP]: { publicKeys: [issuer.publicKeyPem] } } })
    try {
      expect(await outcomeOf(big, 'alice', roomy)).toBe('accepted')
    } finally {
      await roomy.stop()
    }
  })

  it('step 5: alg outside the allowed set, none, every HMAC, bad typ or crit -> HEADER_TYPE_INCOMPATIBLE (4001)', async () => {
    const rs384 = await issuer.issue({ identifier: 'alice', algorithm: 'RS384' })
    expect(await outcomeOf(rs384)).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(await outcomeOf(await issuer.issueBad('alg-none', 'alice'))).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(await outcomeOf(await issuer.issueBad('typ-not-jwt', 'alice'))).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(await outcomeOf(await signWith({ sub: 'alice', exp: nowSeconds() + 600 }, { typ: 42 }))).toBe('HEADER_TYPE_INCOMPATIBLE')
    expect(await outcomeOf(signRaw({ alg: 'RS256', kid: issuer.kid, crit: ['ext'], ext: 1 }, { sub: 'alice', exp: nowSeconds() + 600 }))).toBe('HEADER_TYPE_INCOMPATIBLE')
    // The same hand-made signing path yields an accepted token without crit, so the refusal is the crit's.
    expect(await outcomeOf(signRaw({ alg: 'RS256', kid: issuer.kid }, { sub: 'alice', exp: nowSeconds() + 600 }))).toBe('accepted')
    const claims = b64({ sub: 'alice', exp: nowSeconds() + 600 })
    for (const alg of ['HS256', 'HS384', 'HS512', 'none', 'NONE', 'None', 'ES256', 'EdDSA']) {
      const input = `${b64({ alg, typ: 'JWT', kid: issuer.kid })}.${claims}`
      expect(await outcomeOf(`${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`), alg).toBe('HEADER_TYPE_INCOMPATIBLE')
    }
    // alg none carrying a genuine RS256 signature of another token.
    const genuineSignature = (await issuer.issue({ identifier: 'alice' })).split('.')[2] ?? ''
    expect(await outcomeOf(`${b64({ alg: 'none' })}.${claims}.${genuineSignature}`)).toBe('HEADER_TYPE_INCOMPATIBLE')
  })

  it('step 5: typ is compared case-insensitively, and may be absent', async () => {
    expect(await outcomeOf(await issuer.issue({ identifier: 'alice', typ: 'jwt' }))).toBe('accepted')
    expect(await outcomeOf(await issuer.issue({ identifier: 'alice', typ: 'Jwt' }))).toBe('accepted')
    expect(await outcomeOf(await issuer.issue({ identifier: 'alice', typ: null }))).toBe('accepted')
  })

  it('attack: HS256 signed with the public key PEM as the secret is refused (key confusion)', async () => {
    expect(await outcomeOf(await issuer.issueBad('hs256-public-key', 'alice'))).toBe('HEADER_TYPE_INCOMPATIBLE')
  })

  it('attack: HMAC, none and short or unknown algorithms can never be allowed by configuration', () => {
    for (const algorithms of [['HS256'], ['none'], ['RS256', 'HS512'], []]) {
      const resolved = resolveServerOptions({ allowedAlgorithms: algorithms as never })
      expect(E.isLeft(resolved), JSON.stringify(algorithms)).toBe(true)
      if (E.isLeft(resolved)) expect(resolved.left).toContain('allowedAlgorithms')
    }
  })

  it('step 6: no exp, or no subject -> PAYLOAD_CONTENT_MISSING (4002)', async () => {
    expect(await outcomeOf(await issuer.issueBad('no-exp', 'alice'))).toBe('PAYLOAD_CONTENT_MISSING')
    expect(await outcomeOf(await issuer.issueBad('no-subject', 'alice'))).toBe('PAYLOAD_CONTENT_MISSING')
    expect(await outcomeOf(await signWith({ sub: 'alice', exp: 'tomorrow' }))).toBe('PAYLOAD_CONTENT_MISSING')
    expect(await outcomeOf(await signWith({ sub: '', exp: nowSeconds() + 600 }))).toBe('PAYLOAD_CONTENT_MISSING')
    expect(await outcomeOf(await signWith({ sub: { key: 'uid' }, exp: nowSeconds() + 600 }))).toBe('PAYLOAD_CONTENT_MISSING')
  })

  it('step 7: a signature valid for none of the app keys -> INVALID_SIGNATURE (4003)', async () => {
    expect(await outcomeOf(await issuer.issueBad('tampered', 'alice'))).toBe('INVALID_SIGNATURE')
    expect(await outcomeOf(await issuer.issueBad('foreign-key', 'alice'))).toBe('INVALID_SIGNATURE')
    expect(await outcomeOf(await issuer.issueBad('unknown-kid', 'alice'))).toBe('INVALID_SIGNATURE')
    expect(await outcomeOf(await signWith({ sub: 'alice', exp: nowSeconds() + 600 }, { kid: 7 }))).toBe('INVALID_SIGNATURE')
  })

  it('step 7: without kid every active key is tried', async () => {
    expect(await outcomeOf(await issuer.issue({ identifier: 'alice', kid: null }))).toBe('accepted')
  })

  it('attack: a key embedded in the header (jwk) is never trusted', async () => {
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const jwk = await exportJWK(attacker.publicKey)
    const token = await new SignJWT({ sub: 'alice', exp: nowSeconds() + 600 })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', jwk })
      .sign(attacker.privateKey)
    expect(await outcomeOf(token)).toBe('INVALID_SIGNATURE')
  })

  it('step 7: an app without keys refuses every token', async () => {
    const answer = await postBatch(server.batchUrl('app-without-keys'), makeBatch('alice'), await issuer.issue({ identifier: 'alice' }))
    expect(answer.json).toMatchObject({ error: { code: 'INVALID_SIGNATURE', numericCode: 4003 } })
  })

  it('step 8: exp, nbf and iat outside the clock skew -> TIME_CONSTRAINT_FAILURE (4010)', async () => {
    expect(await outcomeOf(await issuer.issueBad('expired', 'alice'))).toBe('TIME_CONSTRAINT_FAILURE')
    expect(await outcomeOf(await issuer.issueBad('not-yet-valid', 'alice'))).toBe('TIME_CONSTRAINT_FAILURE')
    expect(await outcomeOf(await signWith({ sub: 'alice', exp: nowSeconds() + 7200, iat: nowSeconds() + 3600 }))).toBe('TIME_CONSTRAINT_FAILURE')
    expect(await outcomeOf(await signWith({ sub: 'alice', exp: nowSeconds() + 600, nbf: 'soon' }))).toBe('TIME_CONSTRAINT_FAILURE')
  })

  it('step 8: the clock skew (60 s by default, configurable) is allowed on every time claim', async () => {
    // Expired 30 s ago, valid from 30 s ahead, issued 30 s ahead: all within 60 s.
    expect(await outcomeOf(await issuer.issue({ identifier: 'alice', lifetimeSeconds: -30 }))).toBe('accepted')
    expect(await outcomeOf(await signWith({ sub: 'alice', exp: nowSeconds() + 600, nbf: nowSeconds() + 30, iat: nowSeconds() + 30 }))).toBe('accepted')
    const strict = await startReferenceServer({ clockSkewMs: 0, apps: { [APP]: { publicKeys: [issuer.publicKeyPem] } } })
    try {
      expect(await outcomeOf(await issuer.issue({ identifier: 'alice', lifetimeSeconds: -30 }), 'alice', strict)).toBe('TIME_CONSTRAINT_FAILURE')
    } finally {
      await strict.stop()
    }
  })

  it('step 9: subject differing from identity.value -> IDENTIFIER_MISMATCH (4004)', async () => {
    expect(await outcomeOf(await issuer.issueBad('wrong-subject', 'alice'))).toBe('IDENTIFIER_MISMATCH')
    expect(await outcomeOf(await issuer.issue({ identifier: 'bob', subjectAs: 'object' }), 'alice')).toBe('IDENTIFIER_MISMATCH')
  })

  it('the first failing check decides: signature before time, time before subject', async () => {
    const forged = await issuer.issueBad('foreign-key', 'alice')
    const expiredForged = `${forged.split('.')[0]}.${b64({ sub: 'bob', exp: nowSeconds() - 3600 })}.${forged.split('.')[2]}`
    expect(await outcomeOf(expiredForged)).toBe('INVALID_SIGNATURE')
    const expiredWrongUser = await issuer.issue({ identifier: 'bob', lifetimeSeconds: -3600 })
    expect(await outcomeOf(expiredWrongUser, 'alice')).toBe('TIME_CONSTRAINT_FAILURE')
    const noExpAndHs = `${b64({ alg: 'HS256' })}.${b64({ sub: 'alice' })}.c2ln`
    expect(await outcomeOf(noExpAndHs)).toBe('HEADER_TYPE_INCOMPATIBLE')
  })

  it('every bad token of the issuer is refused (R18: the log shows only its fingerprint)', async () => {
    server.clearRequestLog()
    for (const kind of ['expired', 'alg-none', 'hs256-public-key', 'tampered', 'garbage'] as const) {
      const token = await issuer.issueBad(kind, 'alice')
      expect(await outcomeOf(token), kind).not.toBe('accepted')
      const entry = server.requestLog().at(-1)
      expect(entry?.tokenFingerprint, kind).toBe(fingerprintToken(token))
      const logged = JSON.stringify(server.requestLog()) + formatLogEntry(entry!)
      // Not even a prefix: every part of the token that a prefix would show stays out of the log.
      for (const part of token.split('.').filter((segment) => segment.length >= 8)) expect(logged, kind).not.toContain(part.slice(0, 8))
    }
  })

  it('each deliberately bad token of the issuer gets the code it is documented to get', async () => {
    const expected: Record<BadTokenKind, JwtErrorCode> = {
      expired: 'TIME_CONSTRAINT_FAILURE',
      'not-yet-valid': 'TIME_CONSTRAINT_FAILURE',
      'wrong-subject': 'IDENTIFIER_MISMATCH',
      'no-exp': 'PAYLOAD_CONTENT_MISSING',
      'no-subject': 'PAYLOAD_CONTENT_MISSING',
      'alg-none': 'HEADER_TYPE_INCOMPATIBLE',
      'hs256-public-key': 'HEADER_TYPE_INCOMPATIBLE',
      'typ-not-jwt': 'HEADER_TYPE_INCOMPATIBLE',
      tampered: 'INVALID_SIGNATURE',
      'foreign-key': 'INVALID_SIGNATURE',
      'unknown-kid': 'INVALID_SIGNATURE',
      garbage: 'DECRYPTION_FAILED',
    }
    for (const kind of BAD_TOKEN_KINDS) expect(await outcomeOf(await issuer.issueBad(kind, 'alice')), kind).toBe(expected[kind])
  })
})

describe('verifyToken in explain mode (what jwt-sync verify prints)', () => {
  it('runs every check it can and still decides on the first failure in protocol order', async () => {
    const token = await issuer.issue({ identifier: 'bob', lifetimeSeconds: -3600 })
    const keys = [] as const
    const verdict = await verifyToken(token, { keys, allowedAlgorithms: ['RS256'], clockSkewMs: 0, maxTokenBytes: 8192, now: Date.now(), identifier: 'alice' }, 'explain')
    expect(verdict.checks.map((check) => `${check.check}:${check.verdict}`)).toEqual([
      'token-present:pass', 'size:pass', 'structure:pass', 'header:pass', 'claims:pass', 'signature:fail', 'time:fail', 'subject:fail',
    ])
    expect(E.isLeft(verdict.decision) && verdict.decision.left).toMatchObject({ code: 'INVALID_SIGNATURE', numericCode: 4003 })
    const decided = await verifyToken(token, { keys, allowedAlgorithms: ['RS256'], clockSkewMs: 0, maxTokenBytes: 8192, now: Date.now(), identifier: 'alice' }, 'decide')
    expect(decided.checks.map((check) => check.check).at(-1)).toBe('signature')
  })
})
