import type { FrozenBatch, SyncContext } from './context.js'
import type { Step } from './step.js'

/**
 * R20: whether the next request may go gzip-compressed. The transport compresses where its
 * platform can; the core only says whether it may.
 *
 * @example
 * ```ts
 * const request = buildBatchRequest({ ...input, compress: compressesRequests(context) })
 * ```
 */
export const compressesRequests = (context: SyncContext): boolean => context.settings.compression === 'gzip' && context.compressionRefused !== true

/**
 * R20: the server answered 415 (Unsupported Media Type) to a compressed body. It cannot read gzip,
 * so nothing is compressed from now on, and the same frozen batch goes again at once (R14): the
 * items were not rejected, their encoding was.
 *
 * @example
 * ```ts
 * if (outcome.kind === 'rejected' && outcome.status === 415 && compressesRequests(context)) return compressionRefused(context, batch)
 * ```
 */
export const compressionRefused = (context: SyncContext, batch: FrozenBatch): Step => ({
  context: { ...context, compressionRefused: true },
  emits: [{ type: 'log', level: 'warn', message: 'the server refused a gzip body (415); sending uncompressed from now on', fields: { batchId: batch.batchId } }],
})
