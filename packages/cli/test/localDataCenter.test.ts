import { describe, expect, it } from 'vitest'
import { DEFAULT_DATA_CENTERS } from '@jwt-sync/core'
import { DEFAULT_SERVE_PORT } from '../src/index.js'

describe("the core's local data center", () => {
  it('is where `jwt-sync serve` listens by default, so dataCenter "local" needs no baseUrl', () => {
    expect(DEFAULT_DATA_CENTERS['local']).toBe(`http://127.0.0.1:${DEFAULT_SERVE_PORT}`)
  })
})
