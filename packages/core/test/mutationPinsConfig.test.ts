// Tests that pin the config exactly (R17 for the config; the defaults the rules name: R8's 10
// failures, the 30-minute session, R9's backoff, R12's timers, R6's skew and algorithms): each
// one kills mutants that the broader tests let live (mutation/README.md).
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { DEFAULTS, DEFAULT_DATA_CENTERS, MAX_BATCH_SIZE, resolveConfig } from '../src/model/config.js'
import { describeDecodeFailure } from '../src/model/decodeFailure.js'

const base = { appId: 'app', environment: 'test', baseUrl: 'https://ingest.example', networkConfig: { authorizationConfig: { isJwtEnabled: true } } }
const fieldOf = (input: unknown): string => {
  const resolved = resolveConfig(input)
  return E.isLeft(resolved) ? resolved.left.field : 'ok'
}
const MAX_TIMER_MS = 2_147_483_647

describe('R8 R9 R12 R6: the defaults the rules name', () => {
  it('R8 R9 R12 R6: an app that sets nothing gets the documented defaults', () => {
    expect(DEFAULTS).toEqual({
      maxConsecutiveAuthFailures: 10,
      inactivityTimeoutMs: 30 * 60_000,
      periodicFlushMs: 60_000,
      maxBatchSize: 100,
      timeoutMs: 30_000,
      clockSkewMs: 60_000,
      allowedAlgorithms: ['RS256', 'RS512'],
      refreshLeadMs: 60_000,
      backoff: { baseMs: 2_000, factor: 2, capMs: 5 * 60_000 },
      compression: 'gzip',
    })
    expect(resolveConfig(base)).toEqual(
      E.right({
        appId: 'app',
        baseUrl: 'https://ingest.example',
        environment: 'test',
        isJwtEnabled: true,
        maxConsecutiveAuthFailures: 10,
        inactivityTimeoutMs: 1_800_000,
        periodicFlushMs: 60_000,
        maxBatchSize: 100,
        timeoutMs: 30_000,
        clockSkewMs: 60_000,
        clientValidation: true,
        allowedAlgorithms: ['RS256', 'RS512'],
        tokenProvider: undefined,
        refreshLeadMs: 60_000,
        backoff: { baseMs: 2_000, factor: 2, capMs: 300_000 },
        compression: 'gzip',
      }),
    )
  })
  it('R17: what the app sets wins, a partial backoff keeps the other defaults, trailing slashes go', () => {
    const provider = async () => 'token'
    const resolved = resolveConfig({
      ...base,
      baseUrl: 'http://127.0.0.1:9/path//',
      environment: 'live',
      networkConfig: { authorizationConfig: { isJwtEnabled: false }, compression: 'none' },
      maxConsecutiveAuthFailures: 3,
      inactivityTimeoutMs: 5,
      periodicFlushMs: 6,
      maxBatchSize: 7,
      timeoutMs: 8,
      clockSkewMs: 0,
      clientValidation: false,
      allowedAlgorithms: ['PS256'],
      tokenProvider: provider,
      refreshLeadMs: 0,
      backoff: { factor: 3 },
    })
    expect(resolved).toEqual(
      E.right({
        appId: 'app',
        baseUrl: 'http://127.0.0.1:9/path',
        environment: 'live',
        isJwtEnabled: false,
        maxConsecutiveAuthFailures: 3,
        inactivityTimeoutMs: 5,
        periodicFlushMs: 6,
        maxBatchSize: 7,
        timeoutMs: 8,
        clockSkewMs: 0,
        clientValidation: false,
        allowedAlgorithms: ['PS256'],
        tokenProvider: provider,
        refreshLeadMs: 0,
        backoff: { baseMs: 2_000, factor: 3, capMs: 300_000 },
        compression: 'none',
      }),
    )
  })
})

describe('R17: the config is strict: exact ranges, known keys, http(s) URLs', () => {
  it('R17: every number option at and just past the ends of its range', () => {
    const cases: [string, number, number][] = [
      ['maxConsecutiveAuthFailures', 1, 1_000],
      ['inactivityTimeoutMs', 1, MAX_TIMER_MS],
      ['periodicFlushMs', 1, MAX_TIMER_MS],
      ['maxBatchSize', 1, MAX_BATCH_SIZE],
      ['timeoutMs', 1, MAX_TIMER_MS],
    ]
    expect(MAX_BATCH_SIZE).toBe(1_000)
    for (const [key, min, max] of cases) {
      expect(fieldOf({ ...base, [key]: min }), `${key} ${min}`).toBe('ok')
      expect(fieldOf({ ...base, [key]: max }), `${key} ${max}`).toBe('ok')
      expect(fieldOf({ ...base, [key]: min - 1 }), `${key} ${min - 1}`).toBe(key)
      expect(fieldOf({ ...base, [key]: max + 1 }), `${key} ${max + 1}`).toBe(key)
      expect(fieldOf({ ...base, [key]: min + 0.5 }), `${key} fraction`).toBe(key)
    }
    for (const key of ['clockSkewMs', 'refreshLeadMs']) {
      expect(fieldOf({ ...base, [key]: 0 })).toBe('ok')
      expect(fieldOf({ ...base, [key]: 0.5 })).toBe('ok')
      expect(fieldOf({ ...base, [key]: MAX_TIMER_MS })).toBe('ok')
      expect(fieldOf({ ...base, [key]: -1 })).toBe(key)
      expect(fieldOf({ ...base, [key]: MAX_TIMER_MS + 1 })).toBe(key)
      expect(fieldOf({ ...base, [key]: Number.POSITIVE_INFINITY })).toBe(key)
      expect(fieldOf({ ...base, [key]: Number.NaN })).toBe(key)
    }
    expect(fieldOf({ ...base, backoff: { baseMs: 1, capMs: MAX_TIMER_MS, factor: 1 } })).toBe('ok')
    expect(fieldOf({ ...base, backoff: { factor: 100 } })).toBe('ok')
    expect(fieldOf({ ...base, backoff: { factor: 1.5 } })).toBe('ok')
    expect(fieldOf({ ...base, backoff: { factor: 0.99 } })).toBe('backoff.factor')
    expect(fieldOf({ ...base, backoff: { factor: 100.01 } })).toBe('backoff.factor')
    expect(fieldOf({ ...base, backoff: { factor: Number.POSITIVE_INFINITY } })).toBe('backoff.factor')
    expect(fieldOf({ ...base, backoff: { baseMs: 0 } })).toBe('backoff.baseMs')
    expect(fieldOf({ ...base, backoff: { capMs: MAX_TIMER_MS + 1 } })).toBe('backoff.capMs')
  })
  it('R17: the message names the field, what was expected and what was given', () => {
    expect(resolveConfig({ ...base, maxBatchSize: 0 })).toEqual(
      E.left({ type: 'INVALID_CONFIG', field: 'maxBatchSize', message: 'maxBatchSize: expected integer from 1 to 1000, got 0' }),
    )
    expect(resolveConfig({ ...base, networkConfig: { authorizationConfig: { isJwtEnabled: 'yes' } } })).toEqual(
      E.left({ type: 'INVALID_CONFIG', field: 'networkConfig.authorizationConfig.isJwtEnabled', message: 'networkConfig.authorizationConfig.isJwtEnabled: expected boolean, got "yes"' }),
    )
    const { appId: _appId, ...withoutAppId } = base
    expect(resolveConfig(withoutAppId)).toEqual(E.left({ type: 'INVALID_CONFIG', field: 'appId', message: 'appId: expected non-empty string, missing' }))
    expect(resolveConfig(null)).toMatchObject({ _tag: 'Left', left: { type: 'INVALID_CONFIG', field: '(root)' } })
  })
  it('R17: unknown keys are refused at the top and inside networkConfig, authorizationConfig and backoff', () => {
    expect(resolveConfig({ ...base, maxBatchSzie: 5 })).toEqual(E.left({ type: 'INVALID_CONFIG', field: 'maxBatchSzie', message: 'maxBatchSzie: not a config option (a typo?)' }))
    expect(fieldOf({ ...base, networkConfig: { authorizationConfig: { isJwtEnabled: true }, retries: 1 } })).toBe('networkConfig.retries')
    expect(fieldOf({ ...base, networkConfig: { authorizationConfig: { isJwtEnabled: true, jwt: 1 } } })).toBe('networkConfig.authorizationConfig.jwt')
    expect(fieldOf({ ...base, backoff: { jitter: 1 } })).toBe('backoff.jitter')
    for (const key of ['dataCenter', 'clientValidation', 'allowedAlgorithms', 'tokenProvider', 'refreshLeadMs', 'backoff', 'timeoutMs', 'clockSkewMs', 'periodicFlushMs', 'inactivityTimeoutMs', 'maxConsecutiveAuthFailures', 'dataCenters']) {
      expect(fieldOf({ ...base, [key]: Symbol('x') }), key).toBe(key)
    }
    expect(fieldOf({ ...base, networkConfig: { authorizationConfig: { isJwtEnabled: true }, compression: 'gzip' } })).toBe('ok')
    expect(fieldOf({ ...base, networkConfig: { authorizationConfig: { isJwtEnabled: true }, compression: 'brotli' } })).toBe('networkConfig.compression')
    expect(fieldOf({ ...base, environment: 'live' })).toBe('ok')
    expect(fieldOf({ ...base, environment: 'prod' })).toBe('environment')
    expect(fieldOf({ ...base, allowedAlgorithms: [''] })).toBe('allowedAlgorithms.0')
  })
  it('R17: baseUrl is an http(s) URL with a host; else a data center, built in or the app\'s own', () => {
    for (const url of ['http://a', 'https://a.b:8080', 'HTTPS://A.B/p?q#f', 'http://127.0.0.1:7355/']) expect(fieldOf({ ...base, baseUrl: url }), url).toBe('ok')
    for (const url of ['ftp://a', 'https://', 'https:// a', 'https://user@host', 'https://a b', 'a.example', 'https://a/ b', ' https://a']) expect(fieldOf({ ...base, baseUrl: url }), url).toBe('baseUrl')
    const { baseUrl: _baseUrl, ...noUrl } = base
    expect(DEFAULT_DATA_CENTERS).toEqual({ local: 'http://127.0.0.1:7355' })
    expect(resolveConfig({ ...noUrl, dataCenter: 'local' })).toMatchObject({ right: { baseUrl: 'http://127.0.0.1:7355' } })
    expect(resolveConfig({ ...noUrl, dataCenter: 'eu', dataCenters: { eu: 'https://eu.example/' } })).toMatchObject({ right: { baseUrl: 'https://eu.example' } })
    expect(resolveConfig({ ...base, dataCenter: 'nowhere' })).toMatchObject({ right: { baseUrl: 'https://ingest.example' } })
    expect(resolveConfig({ ...noUrl, dataCenter: 'mars' })).toEqual(E.left({ type: 'INVALID_CONFIG', field: 'dataCenter', message: 'dataCenter: unknown data center "mars"' }))
    expect(resolveConfig(noUrl)).toEqual(E.left({ type: 'INVALID_CONFIG', field: 'baseUrl', message: 'baseUrl: baseUrl or dataCenter is required' }))
    expect(fieldOf({ ...noUrl, dataCenter: 'eu', dataCenters: { eu: 'not a url' } })).toBe('dataCenters.eu')
  })
})

describe('R17: decode failures name the deepest field', () => {
  it('R17: values are shown shortened; functions and unserialisable values are described', () => {
    const message = (value: unknown) => {
      const resolved = resolveConfig({ ...base, appId: value })
      return E.isLeft(resolved) ? resolved.left.message : 'ok'
    }
    expect(message('x'.repeat(100))).toBe('ok')
    expect(message(7)).toBe('appId: expected non-empty string, got 7')
    expect(message(() => 1)).toBe('appId: expected non-empty string, got a function')
    expect(message('')).toBe('appId: expected non-empty string, got ""')
    expect(message({ long: 'y'.repeat(100) })).toBe(`appId: expected non-empty string, got ${JSON.stringify({ long: 'y'.repeat(100) }).slice(0, 57)}...`)
    expect(message(10n)).toBe('appId: expected non-empty string, got an unserialisable value')
    expect(message(Symbol.for('s'))).toBe('appId: expected non-empty string, got Symbol(s)')
    expect(describeDecodeFailure([])).toEqual({ field: '(root)', message: 'invalid value' })
  })
})
