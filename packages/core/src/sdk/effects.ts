import type { Actor } from 'xstate'
import type { Logger } from '../ports/logger.js'
import type { createAuthListeners } from '../runtime/authListeners.js'
import type { Persister } from '../runtime/persister.js'
import { writeMayFollowRequest } from '../runtime/requestDurability.js'
import type { createTokenProviderService } from '../runtime/tokenProviderService.js'
import type { SyncMachine } from '../sync/machine.js'
import type { SdkProblem } from './types.js'

/**
 * Carries out the effects the statechart emits (it does no IO itself): writes go to the
 * persister, authentication errors to the listeners (R15), problems to the problem listeners,
 * log records to the (redacting) logger, token wishes to the token provider service (R16).
 *
 * @example
 * ```ts
 * carryOutEffects(actor, { persister, logger, authListeners, reportProblem, tokenService: () => service })
 * ```
 */
export const carryOutEffects = (
  actor: Actor<SyncMachine>,
  deps: {
    readonly persister: Persister
    readonly logger: Logger
    readonly authListeners: ReturnType<typeof createAuthListeners>
    readonly reportProblem: (problem: SdkProblem) => void
    readonly tokenService: () => ReturnType<typeof createTokenProviderService> | null
  },
): void => {
  const { persister, logger, authListeners } = deps
  actor.on('persist', ({ write }) => persister.enqueue(write, writeMayFollowRequest(write)))
  actor.on('authError', ({ error, dedupeKey }) => {
    logger.warn('authentication error', { code: error.details.code, source: error.source, identifier: error.details.identifier, token: error.details.token })
    authListeners.deliver(error, dedupeKey)
  })
  actor.on('authResolved', ({ identifier }) => authListeners.resolve(identifier))
  actor.on('problem', ({ problem }) => deps.reportProblem(problem))
  actor.on('log', ({ level, message, fields }) => logger[level](message, fields))
  actor.on('tokenWanted', ({ identifier, reason }) => deps.tokenService()?.request(identifier, reason))
  actor.on('tokenStored', ({ identifier, expiresAt }) => deps.tokenService()?.scheduleRefresh(identifier, expiresAt))
}
