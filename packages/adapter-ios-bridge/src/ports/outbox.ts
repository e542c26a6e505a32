import type { BridgeMessage } from '../protocol/bridgeMessages.js'

/**
 * Where the bridge puts a JS -> host message. The bridge serialises it and calls the host
 * function; ports only build messages.
 *
 * @example
 * ```ts
 * const outbox: Outbox = (message) => host(JSON.stringify(message))
 * ```
 */
export type Outbox = (message: BridgeMessage) => void
