import type { BatchBody } from '@jwt-sync/core'

let counter = 0

/** A valid wire batch for `identifier` (null: anonymous) with `count` fresh items or the given ids. */
export const makeBatch = (identifier: string | null, items: number | readonly string[] = 1): BatchBody => {
  const ids = typeof items === 'number' ? Array.from({ length: items }, () => `item-${++counter}`) : items
  return {
    batchId: `batch-${++counter}`,
    sentAt: Date.now(),
    environment: 'test',
    identity: identifier === null ? null : { key: 'uid', value: identifier },
    items: ids.map((id, index) => ({ id, type: 'event', name: 'Added to cart', attributes: { index }, timestamp: Date.now(), sessionId: 's1' })),
  }
}

export type Answer = { status: number; headers: Headers; json: unknown; text: string }

/** POSTs a batch (or raw text) to the server over loopback. */
export const postBatch = async (
  url: string,
  body: BatchBody | string,
  token?: string,
  extraHeaders: Record<string, string> = {},
): Promise<Answer> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...extraHeaders },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    json = null
  }
  return { status: response.status, headers: response.headers, json, text }
}
