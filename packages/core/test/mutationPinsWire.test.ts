// Tests that pin the wire protocol exactly (docs/wire-protocol.md; R1, R2, R4, R7, R9, R10, R14):
// each one kills mutants the broader tests let live (mutation/README.md).
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { BatchId, IdentityKey, Identifier, ItemId, SessionId, StoredItem } from '@jwt-sync/core'
import { buildBatchRequest } from '../src/wire/buildRequest.js'
import { classifyResponse } from '../src/wire/classifyResponse.js'
import {
  AcceptedBodyCodec,
  BatchBodyCodec,
  JwtErrorBodyCodec,
  PROTOCOL_PATH,
  SDK_VERSION,
  ValidationErrorBodyCodec,
  WireItemCodec,
} from '../src/wire/protocol.js'
import { MAX_RETRY_AFTER_MS, parseRetryAfterMs } from '../src/wire/retryAfter.js'

const event: StoredItem = {
  id: 'i1' as ItemId,
  identity: 'user:u1' as IdentityKey,
  timestamp: 5,
  sessionId: 's1' as SessionId,
  type: 'event',
  name: 'Opened',
  attributes: { a: 1 },
} as StoredItem
const attribute: StoredItem = {
  id: 'i2' as ItemId,
  identity: 'user:u1' as IdentityKey,
  timestamp: 6,
  sessionId: 's1' as SessionId,
  type: 'user_attribute',
  name: 'plan',
  value: 'pro',
} as StoredItem

const input = {
  baseUrl: 'https://ingest.test',
  appId: 'my app/1',
  environment: 'live' as const,
  timeoutMs: 1234,
  batchId: 'b-1' as BatchId,
  identifier: 'u1' as Identifier,
  items: [event, attribute],
  token: 'tok.en.x',
  sentAt: 99,
}

const response = (status: number, body = '', headers: Record<string, string> = {}) => E.right({ status, headers, body })

describe('wire protocol: the request', () => {
  it('R4 R14: POST {baseUrl}/v1/apps/{appId}/batches with the batch id as Idempotency-Key and the SDK version', () => {
    const request = buildBatchRequest(input)
    expect(request).toEqual({
      url: 'https://ingest.test/v1/apps/my%20app%2F1/batches',
      method: 'POST',
      timeoutMs: 1234,
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': 'b-1',
        'X-SDK-Version': `jwt-sync/${SDK_VERSION}`,
        Authorization: 'Bearer tok.en.x',
      },
      body: request.body,
    })
    expect(SDK_VERSION).toMatch(/^\d+\.\d+\.\d+/)
    expect(JSON.parse(request.body)).toEqual({
      batchId: 'b-1',
      sentAt: 99,
      environment: 'live',
      identity: { key: 'uid', value: 'u1' },
      items: [
        { id: 'i1', type: 'event', name: 'Opened', attributes: { a: 1 }, timestamp: 5, sessionId: 's1' },
        { id: 'i2', type: 'user_attribute', name: 'plan', value: 'pro', timestamp: 6, sessionId: 's1' },
      ],
    })
    expect(E.isRight(BatchBodyCodec.decode(JSON.parse(request.body)))).toBe(true)
  })
  it('R1 R2: no token, no Authorization header; an anonymous batch has identity null', () => {
    const request = buildBatchRequest({ ...input, token: null, identifier: null })
    expect(request.headers).not.toHaveProperty('Authorization')
    expect(JSON.parse(request.body)).toMatchObject({ identity: null })
  })
  it('wire protocol: PROTOCOL_PATH encodes the app id', () => {
    expect(PROTOCOL_PATH('a/b?c')).toBe('/v1/apps/a%2Fb%3Fc/batches')
  })
})

describe('wire protocol: bodies (R17: a malformed server response is bad input, never a crash)', () => {
  it('R17: the codecs accept the documented bodies and refuse others', () => {
    expect(E.isRight(AcceptedBodyCodec.decode({ accepted: 2, duplicates: 0 }))).toBe(true)
    expect(E.isRight(AcceptedBodyCodec.decode({ accepted: '2', duplicates: 0 }))).toBe(false)
    expect(E.isRight(JwtErrorBodyCodec.decode({ error: { type: 'JWT', code: 'INVALID_SIGNATURE' } }))).toBe(true)
    expect(E.isRight(JwtErrorBodyCodec.decode({ error: { type: 'JWT', code: 'NOT_A_CODE' } }))).toBe(false)
    expect(E.isRight(JwtErrorBodyCodec.decode({ error: { type: 'VALIDATION', code: 'UNKNOWN' } }))).toBe(false)
    expect(E.isRight(JwtErrorBodyCodec.decode({ error: { type: 'JWT', code: 'UNKNOWN', numericCode: 'x' } }))).toBe(false)
    expect(E.isRight(JwtErrorBodyCodec.decode({ error: { type: 'JWT', code: 'UNKNOWN', message: 5 } }))).toBe(false)
    expect(E.isRight(ValidationErrorBodyCodec.decode({ error: { type: 'VALIDATION' } }))).toBe(true)
    expect(E.isRight(ValidationErrorBodyCodec.decode({ error: { type: 'VALIDATION', itemIds: [1] } }))).toBe(false)
    expect(E.isRight(ValidationErrorBodyCodec.decode({ error: { type: 'VALIDATION', message: 1 } }))).toBe(false)
    expect(E.isRight(ValidationErrorBodyCodec.decode({ error: { type: 'JWT' } }))).toBe(false)
  })
  it('R4: a batch body has identity null or {key: uid, value}, environment live or test, and typed items', () => {
    const body = { batchId: 'b', sentAt: 1, environment: 'test', identity: null, items: [] }
    expect(E.isRight(BatchBodyCodec.decode(body))).toBe(true)
    expect(E.isRight(BatchBodyCodec.decode({ ...body, environment: 'live' }))).toBe(true)
    expect(E.isRight(BatchBodyCodec.decode({ ...body, environment: 'prod' }))).toBe(false)
    expect(E.isRight(BatchBodyCodec.decode({ ...body, identity: { key: 'uid', value: 'u1' } }))).toBe(true)
    expect(E.isRight(BatchBodyCodec.decode({ ...body, identity: { key: 'email', value: 'u1' } }))).toBe(false)
    expect(E.isRight(BatchBodyCodec.decode({ ...body, batchId: 1 }))).toBe(false)
    expect(E.isRight(BatchBodyCodec.decode({ ...body, sentAt: '1' }))).toBe(false)
    const item = { id: 'i', name: 'n', timestamp: 1, sessionId: 's' }
    expect(WireItemCodec.is({ ...item, type: 'event', attributes: {} })).toBe(true)
    expect(WireItemCodec.is({ ...item, type: 'user_attribute', value: null })).toBe(true)
    expect(WireItemCodec.is({ ...item, type: 'event', value: 1 })).toBe(false)
    expect(WireItemCodec.is({ ...item, type: 'other', attributes: {} })).toBe(false)
    expect(WireItemCodec.is({ ...item, id: 1, type: 'event', attributes: {} })).toBe(false)
    expect(WireItemCodec.is({ ...item, sessionId: 1, type: 'event', attributes: {} })).toBe(false)
    expect(WireItemCodec.is({ ...item, timestamp: '1', type: 'event', attributes: {} })).toBe(false)
    expect(WireItemCodec.is({ ...item, name: 1, type: 'user_attribute', value: 1 })).toBe(false)
  })
})

describe('wire protocol: what a response means', () => {
  it('R9 R10: every status range at its edges', () => {
    const kind = (status: number) => classifyResponse(response(status), 0).kind
    expect([199, 200, 204, 299, 300, 399].map(kind)).toEqual(['transient', 'delivered', 'delivered', 'delivered', 'transient', 'transient'])
    expect([400, 404, 407, 409, 428, 430, 499].map(kind)).toEqual(Array(7).fill('rejected'))
    expect([408, 429, 500, 599, 600].map(kind)).toEqual(Array(5).fill('transient'))
    expect(kind(413)).toBe('too-large')
    expect(classifyResponse(response(200), 0)).toEqual({ kind: 'delivered', status: 200 })
    expect(classifyResponse(response(204), 0)).toEqual({ kind: 'delivered', status: 204 })
  })
  it('R9: the reason names the failure; Retry-After is read for transient statuses only', () => {
    expect(classifyResponse(E.left({ kind: 'timeout', message: 'after 30 s' }), 0)).toEqual({ kind: 'transient', reason: 'timeout: after 30 s', retryAfterMs: null })
    expect(classifyResponse(response(503, '', { 'retry-after': '7' }), 0)).toEqual({ kind: 'transient', reason: 'HTTP 503', retryAfterMs: 7000 })
    expect(classifyResponse(response(429), 0)).toEqual({ kind: 'transient', reason: 'HTTP 429', retryAfterMs: null })
    expect(classifyResponse(response(500, '', { 'retry-after': '1' }), 0)).toEqual({ kind: 'transient', reason: 'HTTP 500', retryAfterMs: 1000 })
    expect(classifyResponse(response(408), 0)).toEqual({ kind: 'transient', reason: 'HTTP 408', retryAfterMs: null })
    expect(classifyResponse(response(302, '', { 'retry-after': '7' }), 0)).toEqual({ kind: 'transient', reason: 'unexpected HTTP 302', retryAfterMs: null })
  })
  it('R7: a 401 carries the code of its JWT body with the numeric code of the table, and its message or the code', () => {
    const body = (error: Record<string, unknown>) => JSON.stringify({ error: { type: 'JWT', ...error } })
    expect(classifyResponse(response(401, body({ code: 'IDENTIFIER_MISMATCH', message: 'who?' })), 0)).toEqual({
      kind: 'auth-failed',
      code: 'IDENTIFIER_MISMATCH',
      numericCode: 4004,
      message: 'who?',
    })
    // The numeric code comes from the table, not from the body.
    expect(classifyResponse(response(401, body({ code: 'TIME_CONSTRAINT_FAILURE', numericCode: 1 })), 0)).toEqual({
      kind: 'auth-failed',
      code: 'TIME_CONSTRAINT_FAILURE',
      numericCode: 4010,
      message: 'TIME_CONSTRAINT_FAILURE',
    })
    for (const unreadable of ['', 'not json', '{}', body({ code: 'NOPE' })]) {
      expect(classifyResponse(response(401, unreadable), 0)).toEqual({ kind: 'auth-failed', code: 'UNKNOWN', numericCode: 4999, message: 'unreadable 401 body' })
    }
  })
  it('R10: a rejection carries the item ids and message of a VALIDATION body, else the status', () => {
    const body = JSON.stringify({ error: { type: 'VALIDATION', message: 'bad', itemIds: ['i1'] } })
    expect(classifyResponse(response(422, body), 0)).toEqual({ kind: 'rejected', status: 422, itemIds: ['i1'], message: 'bad' })
    expect(classifyResponse(response(400, JSON.stringify({ error: { type: 'VALIDATION' } })), 0)).toEqual({ kind: 'rejected', status: 400, itemIds: null, message: 'HTTP 400' })
    expect(classifyResponse(response(400, 'oops'), 0)).toEqual({ kind: 'rejected', status: 400, itemIds: null, message: 'HTTP 400' })
  })
})

describe('R9: Retry-After', () => {
  it('R9: delta seconds, trimmed; at most one hour', () => {
    expect(parseRetryAfterMs(' 120 ', 0)).toBe(120_000)
    expect(parseRetryAfterMs('0', 0)).toBe(0)
    expect(parseRetryAfterMs('3600', 0)).toBe(MAX_RETRY_AFTER_MS)
    expect(parseRetryAfterMs('3601', 0)).toBe(MAX_RETRY_AFTER_MS)
    expect(MAX_RETRY_AFTER_MS).toBe(3_600_000)
    expect(parseRetryAfterMs(undefined, 0)).toBeNull()
    expect(parseRetryAfterMs('', 0)).toBeNull()
    expect(parseRetryAfterMs('12a', 0)).toBeNull()
    expect(parseRetryAfterMs('a12', 0)).toBeNull()
  })
  it('R9: an HTTP date counts from now, never negative, at most one hour', () => {
    const now = Date.UTC(2026, 0, 1, 12)
    expect(parseRetryAfterMs(new Date(now + 90_000).toUTCString(), now)).toBe(90_000)
    expect(parseRetryAfterMs(new Date(now - 90_000).toUTCString(), now)).toBe(0)
    expect(parseRetryAfterMs(new Date(now + 2 * 3_600_000).toUTCString(), now)).toBe(MAX_RETRY_AFTER_MS)
  })
})
