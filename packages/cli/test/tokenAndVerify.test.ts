import { verify as verifySignature } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fingerprintToken } from '@jwt-sync/core'
import { BAD_TOKEN_KINDS, startReferenceServer, type ReferenceServer } from '@jwt-sync/reference-server'
import { EXIT, tokenCommand, verifyCommand } from '../src/index.js'
import { captureIo } from './support/captureIo.js'

// Read tokens with node:crypto, independently of the code under test.
const part = (jwt: string, index: number): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
const decodeProtectedHeader = (jwt: string): Record<string, unknown> => part(jwt, 0)
const decodeJwt = (jwt: string): Record<string, unknown> => part(jwt, 1)
const rs256Valid = (jwt: string, publicPem: string): boolean => {
  const [header = '', payload = '', signature = ''] = jwt.split('.')
  return verifySignature('sha256', Buffer.from(`${header}.${payload}`), publicPem, Buffer.from(signature, 'base64url'))
}

const directory = mkdtempSync(join(tmpdir(), 'jwt-sync-cli-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

const token = async (...args: string[]): Promise<{ code: number; token: string; err: string[] }> => {
  const { io, out, err } = captureIo({ cwd: directory })
  const code = await tokenCommand.run(args, io)
  return { code, token: out.join(''), err }
}

const verify = async (args: string[], stdin?: string): Promise<{ code: number; out: string[]; err: string[] }> => {
  const captured = captureIo({ cwd: directory, ...(stdin === undefined ? {} : { stdin }) })
  const code = await verifyCommand.run(args, captured.io)
  return { code, out: captured.out, err: captured.err }
}

beforeAll(async () => {
  const issued = await token('--identifier', 'alice', '--save-keys', 'keys')
  expect(issued.code).toBe(EXIT.ok)
})

describe('jwt-sync token', () => {
  it('generates a key pair, saves it (private key 0600), and prints only the token on stdout', async () => {
    expect(statSync(join(directory, 'keys', 'private.pem')).mode & 0o777).toBe(0o600)
    const publicPem = readFileSync(join(directory, 'keys', 'public.pem'), 'utf8')
    const { code, token: issued, err } = await token('--identifier', 'alice', '--private-key', 'keys/private.pem', '--lifetime', '15m')
    expect(code).toBe(EXIT.ok)
    expect(issued.split('.')).toHaveLength(3)
    expect(rs256Valid(issued, publicPem)).toBe(true)
    const payload = decodeJwt(issued)
    expect(payload['sub']).toBe('alice')
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(900)
    expect(err.join('\n')).toContain('kid ')
  })

  it('uses the same kid (thumbprint) for the same key, a given kid, claims, algorithm and object subject', async () => {
    const first = decodeProtectedHeader((await token('--identifier', 'a', '--private-key', 'keys/private.pem')).token)
    const second = decodeProtectedHeader((await token('--identifier', 'b', '--private-key', 'keys/private.pem')).token)
    expect(first.kid).toBe(second.kid)
    const custom = await token('--identifier', 'carol', '--private-key', 'keys/private.pem', '--kid', 'k1', '--alg', 'RS512', '--sub-object', '--claim', 'plan=pro', '--claim', 'level=3', '--claim', 'tags=["a"]')
    expect(decodeProtectedHeader(custom.token)).toMatchObject({ alg: 'RS512', kid: 'k1', typ: 'JWT' })
    expect(decodeJwt(custom.token)).toMatchObject({ sub: { key: 'uid', value: 'carol' }, plan: 'pro', level: 3, tags: ['a'] })
  })

  it('without --save-keys a fresh pair signs and its public key is printed on stderr', async () => {
    const { code, err } = await token('--identifier', 'alice')
    expect(code).toBe(EXIT.ok)
    expect(err.join('\n')).toContain('-----BEGIN PUBLIC KEY-----')
  })

  it('bad input: one line on stderr and a non-zero exit', async () => {
    for (const [args, pattern, exit] of [
      [[], /--identifier is required/, EXIT.usage],
      [['--identifier', 'a', '--lifetime', 'soon'], /--lifetime/, EXIT.usage],
      [['--identifier', 'a', '--alg', 'HS256'], /--alg must be an RSA algorithm/, EXIT.usage],
      [['--identifier', 'a', '--private-key', 'missing.pem'], /cannot read missing\.pem: ENOENT/, EXIT.usage],
      [['--identifier', 'a', '--private-key', 'keys/public.pem'], /holds a public key/, EXIT.usage],
      [['--identifier', 'a', '--claim', 'novalue'], /NAME=VALUE/, EXIT.usage],
      [['--identifier', 'a', '--bad', 'nasty'], /--bad must be one of/, EXIT.usage],
      [['--identifier', 'a', '--save-keys', 'keys'], /already exists/, EXIT.failure],
    ] as const) {
      const { code, err, token: printed } = await token(...args)
      expect(code, args.join(' ')).toBe(exit)
      expect(err).toHaveLength(1)
      expect(err[0]).toMatch(pattern)
      expect(printed).toBe('')
    }
  })
})

describe('jwt-sync verify', () => {
  it('a good token: every check passes, exit 0', async () => {
    const issued = (await token('--identifier', 'alice', '--private-key', 'keys/private.pem')).token
    const { code, out } = await verify([issued, '--key', 'keys/public.pem', '--identifier', 'alice'])
    expect(code).toBe(EXIT.ok)
    expect(out.filter((line) => line.startsWith('  PASS'))).toHaveLength(8)
    expect(out.at(-1)).toMatch(/^verdict {2}ACCEPTED/)
    // R18: the token appears as its fingerprint only, not even as a prefix of any of its parts.
    expect(out).toContain(`token    ${fingerprintToken(issued)} (${issued.length} bytes)`)
    for (const part of issued.split('.')) expect(out.join('\n')).not.toContain(part.slice(0, 8))
  })

  it('reads the token from stdin with -, and accepts the private key file as --key', async () => {
    const issued = (await token('--identifier', 'alice', '--private-key', 'keys/private.pem')).token
    expect((await verify(['-', '--key', 'keys/private.pem', '--identifier', 'alice'], `${issued}\n`)).code).toBe(EXIT.ok)
  })

  it('a wrong identifier: IDENTIFIER_MISMATCH (4004), exit 1', async () => {
    const issued = (await token('--identifier', 'alice', '--private-key', 'keys/private.pem')).token
    const { code, out } = await verify([issued, '--key', 'keys/public.pem', '--identifier', 'bob'])
    expect(code).toBe(EXIT.failure)
    expect(out).toContain('verdict  REFUSED: the server answers 401 IDENTIFIER_MISMATCH (4004): subject "alice" is not the batch identity "bob"')
  })

  it('without --key or --identifier those checks are skipped and said so', async () => {
    const issued = (await token('--identifier', 'alice')).token
    const { code, out } = await verify([issued])
    expect(code).toBe(EXIT.ok)
    expect(out.some((line) => /SKIP {2}signature/.test(line))).toBe(true)
    expect(out.some((line) => /SKIP {2}subject/.test(line))).toBe(true)
    expect(out.at(-1)).toContain('not checked: signature, subject')
  })

  it('--at and --skew move the clock of the time check', async () => {
    const issued = (await token('--identifier', 'alice', '--private-key', 'keys/private.pem', '--lifetime', '10m')).token
    const later = new Date(Date.now() + 11 * 60_000).toISOString()
    const expired = await verify([issued, '--key', 'keys/public.pem', '--at', later])
    expect(expired.code).toBe(EXIT.failure)
    expect(expired.out.at(-1)).toContain('TIME_CONSTRAINT_FAILURE (4010)')
    expect((await verify([issued, '--key', 'keys/public.pem', '--at', later, '--skew', '120'])).code).toBe(EXIT.ok)
  })

  it('rotation: with two keys given, a token of either verifies', async () => {
    const other = mkdtempSync(join(directory, 'other-'))
    const issued = await token('--identifier', 'alice', '--save-keys', join(other, 'k'))
    const both = ['--key', 'keys/public.pem', '--key', join(other, 'k', 'public.pem')]
    expect((await verify([issued.token, ...both])).code).toBe(EXIT.ok)
    expect((await verify([issued.token, '--key', 'keys/public.pem'])).code).toBe(EXIT.failure)
  })

  it('gives the same code as the server for every kind of bad token (one verification code)', async () => {
    const publicPem = readFileSync(join(directory, 'keys', 'public.pem'), 'utf8')
    const server: ReferenceServer = await startReferenceServer({ apps: { app: { publicKeys: [publicPem] } } })
    try {
      for (const kind of BAD_TOKEN_KINDS) {
        const bad = (await token('--identifier', 'alice', '--private-key', 'keys/private.pem', '--bad', kind)).token
        const response = await fetch(server.batchUrl('app'), {
          method: 'POST',
          headers: { authorization: `Bearer ${bad}` },
          body: JSON.stringify({ batchId: 'b', sentAt: 1, environment: 'test', identity: { key: 'uid', value: 'alice' }, items: [] }),
        })
        const serverCode = ((await response.json()) as { error: { code: string; numericCode: number } }).error
        const { code, out } = await verify([bad, '--key', 'keys/public.pem', '--identifier', 'alice'])
        expect(code, kind).toBe(EXIT.failure)
        expect(out.at(-1), kind).toContain(`401 ${serverCode.code} (${serverCode.numericCode})`)
      }
    } finally {
      await server.stop()
    }
  })

  it('bad usage: one line on stderr, exit 2', async () => {
    writeFileSync(join(directory, 'not-a-key.pem'), 'hello')
    for (const [args, pattern] of [
      [[], /exactly one token/],
      [['a', 'b'], /exactly one token/],
      [['t', '--alg', 'HS256'], /not an RSA algorithm/],
      [['t', '--alg', 'none'], /not an RSA algorithm/],
      [['t', '--skew', '-3'], /--skew/],
      [['t', '--at', 'yesterday'], /--at/],
      [['t', '--key', 'not-a-key.pem'], /not a PEM key/],
    ] as const) {
      const { code, err } = await verify([...args])
      expect(code, args.join(' ')).toBe(EXIT.usage)
      expect(err).toHaveLength(1)
      expect(err[0]).toMatch(pattern)
    }
  })

  it('--server judges as that running server does: its keys with their kids, its skew, its enforcement', async () => {
    const publicPem = readFileSync(join(directory, 'keys', 'public.pem'), 'utf8')
    const server = await startReferenceServer({ clockSkewMs: 0, apps: { shop: { publicKeys: [{ publicKeyPem: publicPem, kid: 'k-2026' }] }, soft: { enforcement: 'optional' } } })
    try {
      const withKid = (await token('--identifier', 'alice', '--private-key', 'keys/private.pem', '--kid', 'k-2026')).token
      const accepted = await verify([withKid, '--server', server.url, '--app', 'shop', '--identifier', 'alice'])
      expect(accepted.code).toBe(EXIT.ok)
      expect(accepted.out).toContain(`server   ${server.url} app "shop": 1 key(s), enforcement required, skew 0 s`)
      // The thumbprint kid of `token` is not the kid this server registered the key under.
      const thumbprintKid = (await token('--identifier', 'alice', '--private-key', 'keys/private.pem')).token
      expect((await verify([thumbprintKid, '--server', server.url, '--app', 'shop'])).out.at(-1)).toContain('INVALID_SIGNATURE')
      // The server's skew of 0 applies: a token expired 30 s ago is refused (60 s default skew would accept it).
      const justExpired = (await token('--identifier', 'alice', '--private-key', 'keys/private.pem', '--kid', 'k-2026', '--claim', `exp=${Math.floor(Date.now() / 1000) - 30}`)).token
      expect((await verify([justExpired, '--key', 'keys/public.pem', '--kid', 'k-2026'])).code).toBe(EXIT.ok)
      expect((await verify([justExpired, '--server', server.url, '--app', 'shop'])).out.at(-1)).toContain('TIME_CONSTRAINT_FAILURE')
      const soft = await verify([withKid, '--server', server.url, '--app', 'soft'])
      expect(soft.code).toBe(EXIT.failure)
      expect(soft.out.at(-1)).toContain('enforcement optional: that server accepts the batch anyway and reports X-Auth-Result: INVALID_SIGNATURE')
    } finally {
      await server.stop()
    }
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()))
    const freePort = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const unreachable = await verify(['t', '--server', `http://127.0.0.1:${freePort}`])
    expect(unreachable.code).toBe(EXIT.failure)
    expect(unreachable.err).toHaveLength(1)
    expect(unreachable.err[0]).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/admin\/settings: ECONNREFUSED/)
  })
})
