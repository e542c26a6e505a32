/**
 * @packageDocumentation
 * jwt-sync for Apple's JavaScriptCore (JSContext) and WKWebView: the core behind one JSON message
 * channel. Native hosts load the bundle (`dist/jwt-sync-bridge.js`, global `JwtSyncBridge`); this
 * module exports the same bridge and the protocol's io-ts codecs for JS-side hosts and tests.
 * PROTOCOL.md documents every message.
 */
export type { Bridge, HostFunction, SdkFactory } from './bridge/createBridge.js'
export { createBridge } from './bridge/createBridge.js'
export { PROTOCOL_VERSION } from './protocol/version.js'
export type { HostMessage, HostMessageKind, SdkCallMessage } from './protocol/hostMessages.js'
export { BridgeOptionsCodec, HOST_MESSAGE_CODECS, isHostMessageKind } from './protocol/hostMessages.js'
export type { HostCapabilities } from './protocol/hostCapabilities.js'
export { HostCapabilitiesCodec } from './protocol/hostCapabilities.js'
export type { BridgeMessage, StorageRequest } from './protocol/bridgeMessages.js'
export { BRIDGE_MESSAGE_CODECS, BridgeErrorCodec, BridgeMessageCodec } from './protocol/bridgeMessages.js'
export type { BridgeError } from './protocol/protocolErrors.js'
export { PROTOCOL_ERRORS } from './protocol/protocolErrors.js'
export { STORAGE_RESULT_CODECS } from './protocol/storageResults.js'
export type { DecodedHostMessage, HostMessageRejection } from './protocol/decodeHostMessage.js'
export { decodeHostMessage } from './protocol/decodeHostMessage.js'
export type { Outbox } from './ports/outbox.js'
export type { HostClock } from './ports/hostClock.js'
export { createHostClock } from './ports/hostClock.js'
export type { AnswerReader, HostAnswer, PendingRequests } from './ports/pendingRequests.js'
export { createPendingRequests } from './ports/pendingRequests.js'
export { DEFAULT_HTTP_GRACE_MS, createChannelTransport } from './ports/channelTransport.js'
export { DEFAULT_STORAGE_TIMEOUT_MS, createChannelStorage } from './ports/channelStorage.js'
export { createChannelLogger } from './ports/channelLogger.js'
