import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { fetchServerTrust, startReferenceServer, type ReferenceServer } from '../src/index.js'
import { makeBatch, postBatch } from './support/batches.js'
import { testIssuer } from './support/issuer.js'

const APP = 'rotation-app'
const oldIssuer = testIssuer()
const newIssuer = testIssuer()
let server: ReferenceServer | null = null
afterEach(async () => {
  await server?.stop()
  server = null
})

const admin = async (target: ReferenceServer, method: string, path: string, body?: string): Promise<{ status: number; json: unknown }> => {
  const response = await fetch(`${target.url}${path}`, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) })
  return { status: response.status, json: await response.json() }
}

const statusFor = async (target: ReferenceServer, token: string): Promise<number> =>
  (await postBatch(target.batchUrl(APP), makeBatch('alice'), token)).status

describe('reference server: per-app keys managed at run time', () => {
  it('rotation over the HTTP admin API: two keys active, then the old one removed', async () => {
    const started = await startReferenceServer()
    server = started
    const oldToken = await oldIssuer.issue({ identifier: 'alice' })
    const newToken = await newIssuer.issue({ identifier: 'alice' })
    expect(await statusFor(started, oldToken)).toBe(401)

    const added = await admin(started, 'POST', `/admin/apps/${APP}/keys`, JSON.stringify({ publicKeyPem: oldIssuer.publicKeyPem }))
    expect(added.status).toBe(201)
    expect(added.json).toMatchObject({ key: { kid: oldIssuer.kid, type: 'RSA', modulusLength: 2048 } })
    expect(await statusFor(started, oldToken)).toBe(200)
    expect(await statusFor(started, newToken)).toBe(401)

    // The raw PEM is accepted too (curl --data-binary @public.pem).
    const raw = await fetch(`${started.url}/admin/apps/${APP}/keys`, { method: 'POST', body: newIssuer.publicKeyPem })
    expect(raw.status).toBe(201)
    const listed = await admin(started, 'GET', `/admin/apps/${APP}/keys`)
    expect((listed.json as { keys: { kid: string }[] }).keys.map((key) => key.kid).sort()).toEqual([oldIssuer.kid, newIssuer.kid].sort())
    expect(await statusFor(started, oldToken)).toBe(200)
    expect(await statusFor(started, newToken)).toBe(200)
    // Without kid, the server tries every active key.
    expect(await statusFor(started, await oldIssuer.issue({ identifier: 'alice', kid: null }))).toBe(200)
    expect(await statusFor(started, await newIssuer.issue({ identifier: 'alice', kid: null }))).toBe(200)

    const removed = await admin(started, 'DELETE', `/admin/apps/${APP}/keys/${encodeURIComponent(oldIssuer.kid)}`)
    expect(removed.status).toBe(200)
    const refused = await postBatch(started.batchUrl(APP), makeBatch('alice'), oldToken)
    expect(refused.json).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } })
    expect(await statusFor(started, await oldIssuer.issue({ identifier: 'alice', kid: null }))).toBe(401)
    expect(await statusFor(started, newToken)).toBe(200)
    expect((await admin(started, 'DELETE', `/admin/apps/${APP}/keys/${encodeURIComponent(oldIssuer.kid)}`)).status).toBe(404)
  })

  it('rotation in process, with explicit kids; keys are per app', async () => {
    const started = await startReferenceServer()
    server = started
    expect(E.isRight(started.addKey(APP, oldIssuer.publicKeyPem, 'k-2025'))).toBe(true)
    expect(E.isRight(started.addKey(APP, newIssuer.publicKeyPem, 'k-2026'))).toBe(true)
    expect(started.listKeys(APP).map((key) => key.kid)).toEqual(['k-2025', 'k-2026'])
    expect(await statusFor(started, await oldIssuer.issue({ identifier: 'alice', kid: 'k-2025' }))).toBe(200)
    // The kid selects the key: the old key's token under the new kid fails.
    expect(await statusFor(started, await oldIssuer.issue({ identifier: 'alice', kid: 'k-2026' }))).toBe(401)
    expect(E.isRight(started.removeKey(APP, 'k-2025'))).toBe(true)
    expect(await statusFor(started, await oldIssuer.issue({ identifier: 'alice', kid: 'k-2025' }))).toBe(401)
    expect(await statusFor(started, await newIssuer.issue({ identifier: 'alice', kid: 'k-2026' }))).toBe(200)
    // Another app does not share the keys.
    const other = await postBatch(started.batchUrl('other-app'), makeBatch('alice'), await newIssuer.issue({ identifier: 'alice', kid: 'k-2026' }))
    expect(other.status).toBe(401)
  })

  it('refuses keys that are not PEM SPKI RSA of at least 2048 bits, and a kid reused for another key', async () => {
    const started = await startReferenceServer()
    server = started
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString()
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString()
    for (const [pem, reason] of [
      [short, 'too short'],
      [ec, 'expected an RSA key'],
      [oldIssuer.privateKeyPem, 'PEM SPKI'],
      ['-----BEGIN PUBLIC KEY-----\nbm9wZQ==\n-----END PUBLIC KEY-----\n', 'unreadable'],
    ] as const) {
      const added = started.addKey(APP, pem)
      expect(E.isLeft(added) && added.left.message).toContain(reason)
      const overHttp = await admin(started, 'POST', `/admin/apps/${APP}/keys`, JSON.stringify({ publicKeyPem: pem }))
      expect(overHttp.status).toBe(400)
      expect(overHttp.json).toMatchObject({ error: { type: 'VALIDATION' } })
    }
    expect(started.listKeys(APP)).toEqual([])
    expect(E.isRight(started.addKey(APP, oldIssuer.publicKeyPem, 'same'))).toBe(true)
    expect(E.isRight(started.addKey(APP, oldIssuer.publicKeyPem, 'same'))).toBe(true)
    const clash = await admin(started, 'POST', `/admin/apps/${APP}/keys`, JSON.stringify({ publicKeyPem: newIssuer.publicKeyPem, kid: 'same' }))
    expect(clash.status).toBe(409)
    expect((await admin(started, 'POST', `/admin/apps/${APP}/keys`, '{"pem": 1}')).status).toBe(400)
  })

  it('refuses to start with an invalid configured key, naming the app', async () => {
    await expect(startReferenceServer({ apps: { broken: { publicKeys: ['nope'] } } })).rejects.toThrow(/apps\.broken\.publicKeys/)
    await expect(startReferenceServer({ clockSkewMs: -1 })).rejects.toThrow(/clockSkewMs/)
  })
})

describe('reference server: the admin client reads what a server trusts', () => {
  it('fetchServerTrust returns the keys with their kids, the enforcement and the settings', async () => {
    const started = await startReferenceServer({ clockSkewMs: 5000, apps: { [APP]: { enforcement: 'optional', publicKeys: [{ publicKeyPem: oldIssuer.publicKeyPem, kid: 'k-old' }] } } })
    server = started
    const trust = await fetchServerTrust(started.url, APP)
    if (E.isLeft(trust)) return expect.fail(trust.left)
    expect(trust.right.keys.map((key) => key.kid)).toEqual(['k-old'])
    expect(trust.right.enforcement).toBe('optional')
    expect(trust.right.settings).toEqual({ allowedAlgorithms: ['RS256', 'RS512'], clockSkewMs: 5000, maxTokenBytes: 8192, maxBodyBytes: 1048576, defaultEnforcement: 'required' })
    const notAServer = await fetchServerTrust(`${started.url}/nothing-here`, APP)
    expect(E.isLeft(notAServer) && notAServer.left).toMatch(/answered 404/)
  })
})
