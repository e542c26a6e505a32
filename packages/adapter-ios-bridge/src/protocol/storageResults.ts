import * as t from 'io-ts'
import { DeadLetterCodec, StoredItemCodec } from '@jwt-sync/core'

/**
 * What a `storageResult` must hold for each storage operation; decoded when it arrives.
 *
 * @example
 * ```ts
 * STORAGE_RESULT_CODECS.commit.is({ removedByIdentity: { 'user:carol': 2 } }) // true
 * ```
 */
export const STORAGE_RESULT_CODECS = {
  open: t.null,
  load: t.type({
    pendingByIdentity: t.record(t.string, t.number),
    deadLetterCount: t.number,
    state: t.UnknownRecord,
    skippedRecords: t.number,
  }),
  peek: t.readonlyArray(StoredItemCodec),
  commit: t.type({ removedByIdentity: t.record(t.string, t.number) }),
  readDeadLetters: t.readonlyArray(DeadLetterCodec),
  close: t.null,
} as const
