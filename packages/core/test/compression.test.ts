// R20: request bodies may go gzip-compressed; a server that cannot read gzip says 415 and gets
// the same batch again, uncompressed.
import { describe, expect, it } from 'vitest'
import { createManualClock, createSdk, type HttpRequest, type SdkConfig } from '@jwt-sync/core'
import { START, baseConfig, createScriptedServer, expectRight } from './harness.js'

/** A scripted server that also keeps each request as the transport got it. */
const recordingServer = () => {
  const server = createScriptedServer()
  const sent: HttpRequest[] = []
  const transport = {
    send: (request: HttpRequest) => {
      sent.push(request)
      return server.transport.send(request)
    },
  }
  return { server, sent, transport }
}

const sdkWith = (networkConfig: SdkConfig['networkConfig'], transport: { send: (request: HttpRequest) => ReturnType<ReturnType<typeof createScriptedServer>['transport']['send']> }) =>
  createSdk({ ...baseConfig({}, false), networkConfig }, { transport, clock: createManualClock(START) })

describe('compressed request bodies', () => {
  it('R20: requests allow gzip by default; networkConfig.compression none sends them as they are', async () => {
    const compressed = recordingServer()
    const sdk = sdkWith({ authorizationConfig: { isJwtEnabled: false } }, compressed.transport)
    sdk.track('a')
    await sdk.flush()
    expect(compressed.sent.map((request) => request.compressBody)).toEqual(['gzip'])
    await sdk.shutdown()

    const plain = recordingServer()
    const off = sdkWith({ authorizationConfig: { isJwtEnabled: false }, compression: 'none' }, plain.transport)
    off.track('a')
    await off.flush()
    expect(plain.sent.map((request) => request.compressBody)).toEqual([undefined])
    await off.shutdown()
  })

  it('R20: a 415 to a compressed body sends the same batch again at once, uncompressed, and later requests stay uncompressed', async () => {
    const { server, sent, transport } = recordingServer()
    const sdk = sdkWith({ authorizationConfig: { isJwtEnabled: false } }, transport)
    sdk.track('a')
    sdk.track('b')
    server.answer({ status: 415 })
    const report = expectRight(await sdk.flush())
    expect(report).toMatchObject({ delivered: 2, deadLettered: 0, pending: 0 })
    expect(sent.map((request) => request.compressBody)).toEqual(['gzip', undefined])
    // R14: the same frozen batch, same id and items.
    expect(sent[1]?.headers['Idempotency-Key']).toBe(sent[0]?.headers['Idempotency-Key'])
    expect(sent[1]?.body.replace(/"sentAt":\d+/, '')).toBe(sent[0]?.body.replace(/"sentAt":\d+/, ''))
    sdk.track('c')
    await sdk.flush()
    expect(sent.map((request) => request.compressBody)).toEqual(['gzip', undefined, undefined])
    await sdk.shutdown()
  })

  it('R10: a 415 to an uncompressed body is a permanent rejection, as any other 4xx', async () => {
    const { server, transport } = recordingServer()
    const sdk = sdkWith({ authorizationConfig: { isJwtEnabled: false }, compression: 'none' }, transport)
    sdk.track('a')
    server.answer({ status: 415 })
    expect(expectRight(await sdk.flush())).toMatchObject({ delivered: 0, deadLettered: 1 })
    expect(server.requests).toHaveLength(1)
    await sdk.shutdown()
  })
})
