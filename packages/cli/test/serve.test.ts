import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { createTokenIssuer, openSqliteItemStore } from '@jwt-sync/reference-server'
import { EXIT, serveCommand } from '../src/index.js'
import { captureIo } from './support/captureIo.js'

const directory = mkdtempSync(join(tmpdir(), 'jwt-sync-serve-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))
const created = createTokenIssuer()
if (E.isLeft(created)) throw new Error(created.left)
const issuer = created.right
writeFileSync(join(directory, 'public.pem'), issuer.publicKeyPem)

const batch = (identifier: string, id: string): string =>
  JSON.stringify({ batchId: `b-${id}`, sentAt: 1, environment: 'test', identity: { key: 'uid', value: identifier }, items: [{ id, type: 'event', name: 'Opened', attributes: {}, timestamp: 1, sessionId: 's' }] })

const post = async (url: string, body: string, token?: string): Promise<{ status: number; json: unknown }> => {
  const response = await fetch(url, { method: 'POST', headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, body })
  return { status: response.status, json: await response.json() }
}

describe('jwt-sync serve', () => {
  it('serves an app with the given key: prints URL, app id and key; verifies; logs each request; stops on request', async () => {
    const captured = captureIo({ cwd: directory })
    const running = serveCommand.run(['--app', 'shop', '--port', '0', '--key', 'public.pem', '--skew', '5'], captured.io)
    const url = (await captured.waitForLine(/listening on/)).replace(/^.*listening on /, '')
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(captured.out.join('\n')).toContain('app id       shop')
    expect(captured.out.join('\n')).toContain(`trusted key  kid ${issuer.kid} (RSA 2048) from public.pem`)
    expect(captured.out.join('\n')).toContain('enforcement  required, clock skew 5 s')
    expect(captured.out).toContain(`               ${issuer.publicKeyPem.split('\n')[1] ?? ''}`)

    const good = await post(`${url}/v1/apps/shop/batches`, batch('alice', 'i1'), await issuer.issue({ identifier: 'alice' }))
    expect(good).toEqual({ status: 200, json: { accepted: 1, duplicates: 0 } })
    const expired = await issuer.issue({ identifier: 'alice', lifetimeSeconds: -30 })
    const refused = await post(`${url}/v1/apps/shop/batches`, batch('alice', 'i2'), expired)
    expect(refused.json).toMatchObject({ error: { code: 'TIME_CONSTRAINT_FAILURE' } })
    await captured.waitForLine(/401 .*auth=TIME_CONSTRAINT_FAILURE/)
    expect(captured.out.join('\n')).not.toContain(expired)

    captured.stop()
    expect(await running).toBe(EXIT.ok)
    expect(captured.out.at(-1)).toBe('stopped.')
    await expect(fetch(`${url}/health`)).rejects.toThrow()
  })

  it('without a key: says how to add one; optional enforcement accepts and reports; --db keeps items', async () => {
    const captured = captureIo({ cwd: directory })
    const running = serveCommand.run(['--port', '0', '--enforcement', 'optional', '--db', 'items.db', '--quiet'], captured.io)
    const url = (await captured.waitForLine(/listening on/)).replace(/^.*listening on /, '')
    const text = captured.out.join('\n')
    expect(text).toContain('app id       dev-app')
    expect(text).toContain(`curl -X POST --data-binary @dev-keys/public.pem ${url}/admin/apps/dev-app/keys`)
    expect(text).toContain('storage      SQLite items.db')
    const response = await fetch(`${url}/v1/apps/dev-app/batches`, { method: 'POST', body: batch('alice', 'kept') })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-auth-result')).toBe('TOKEN_NOT_AVAILABLE')
    captured.stop()
    expect(await running).toBe(EXIT.ok)
    const store = await openSqliteItemStore(join(directory, 'items.db'))
    expect(store.list('dev-app').map((record) => record.item.id)).toEqual(['kept'])
    store.close()
  })

  it('bad options and a busy port: one line on stderr, non-zero exit', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
    const busyPort = (blocker.address() as AddressInfo).port
    try {
      for (const [args, pattern, exit] of [
        [['--enforcement', 'strictest'], /--enforcement must be one of/, EXIT.usage],
        [['--port', '70000'], /--port must be an integer/, EXIT.usage],
        [['--key', 'nowhere.pem'], /cannot read nowhere\.pem/, EXIT.usage],
        [['--port', String(busyPort)], new RegExp(`port ${busyPort} is in use`), EXIT.failure],
      ] as const) {
        const captured = captureIo({ cwd: directory })
        expect(await serveCommand.run([...args], captured.io), args.join(' ')).toBe(exit)
        expect(captured.err).toHaveLength(1)
        expect(captured.err[0]).toMatch(pattern)
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })
})
