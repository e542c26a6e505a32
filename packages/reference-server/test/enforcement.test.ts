import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReferenceServer, type ReferenceServer, type RequestLogEntry } from '../src/index.js'
import { makeBatch, postBatch } from './support/batches.js'
import { testIssuer } from './support/issuer.js'

const issuer = testIssuer()
const logged: RequestLogEntry[] = []
let server: ReferenceServer

beforeAll(async () => {
  server = await startReferenceServer({
    apps: {
      off: { enforcement: 'disabled' },
      soft: { enforcement: 'optional', publicKeys: [issuer.publicKeyPem] },
      strict: { publicKeys: [issuer.publicKeyPem] },
    },
    logger: {
      debug: () => {},
      info: (_message, fields) => logged.push(fields as RequestLogEntry),
      warn: (_message, fields) => logged.push(fields as RequestLogEntry),
      error: () => {},
    },
  })
})
afterAll(async () => {
  await server.stop()
})

describe('reference server: enforcement per app', () => {
  it('required (the default): a bad token is a 401 and nothing is stored', async () => {
    expect(server.enforcementOf('strict')).toBe('required')
    const expired = await issuer.issueBad('expired', 'alice')
    const answer = await postBatch(server.batchUrl('strict'), makeBatch('alice', 2), expired)
    expect(answer.status).toBe(401)
    expect(server.items('strict')).toHaveLength(0)
    expect((await postBatch(server.batchUrl('strict'), makeBatch('alice', 2))).status).toBe(401)
  })

  it('optional: verified, the result in X-Auth-Result and the server log, batch accepted', async () => {
    const good = await postBatch(server.batchUrl('soft'), makeBatch('alice', 1), await issuer.issue({ identifier: 'alice' }))
    expect(good.status).toBe(200)
    expect(good.headers.get('x-auth-result')).toBe('ok')
    const forged = await postBatch(server.batchUrl('soft'), makeBatch('alice', 1), await issuer.issueBad('foreign-key', 'alice'))
    expect(forged.status).toBe(200)
    expect(forged.headers.get('x-auth-result')).toBe('INVALID_SIGNATURE')
    const missing = await postBatch(server.batchUrl('soft'), makeBatch('alice', 1))
    expect(missing.status).toBe(200)
    expect(missing.headers.get('x-auth-result')).toBe('TOKEN_NOT_AVAILABLE')
    expect(server.items('soft')).toHaveLength(3)
    expect(logged.filter((entry) => entry.appId === 'soft').map((entry) => entry.authResult)).toEqual(['ok', 'INVALID_SIGNATURE', 'TOKEN_NOT_AVAILABLE'])
  })

  it('disabled: tokens are ignored, even garbage or none', async () => {
    const garbage = await postBatch(server.batchUrl('off'), makeBatch('alice', 1), 'garbage')
    expect(garbage.status).toBe(200)
    expect(garbage.headers.get('x-auth-result')).toBeNull()
    expect((await postBatch(server.batchUrl('off'), makeBatch('alice', 1))).status).toBe(200)
    expect(server.items('off')).toHaveLength(2)
  })

  it('the mode changes at run time, in process and over HTTP', async () => {
    server.setEnforcement('strict', 'disabled')
    expect((await postBatch(server.batchUrl('strict'), makeBatch('alice', 1))).status).toBe(200)
    const put = await fetch(`${server.url}/admin/apps/strict/enforcement`, { method: 'PUT', body: JSON.stringify({ enforcement: 'required' }) })
    expect(put.status).toBe(200)
    expect(await (await fetch(`${server.url}/admin/apps/strict/enforcement`)).json()).toEqual({ enforcement: 'required' })
    expect((await postBatch(server.batchUrl('strict'), makeBatch('alice', 1))).status).toBe(401)
    const bad = await fetch(`${server.url}/admin/apps/strict/enforcement`, { method: 'PUT', body: JSON.stringify({ enforcement: 'sometimes' }) })
    expect(bad.status).toBe(400)
  })
})
