// Minimal browser integration of jwt-sync: initialize, identify (with the app server's JWT), track, flush.
import { createSdk } from '@jwt-sync/core'
import { createFetchTransport } from '@jwt-sync/adapter-fetch'
import { createWebStorage } from '@jwt-sync/adapter-storage/web'

const sdk = createSdk(
  { appId: 'my-app', baseUrl: 'https://ingest.example.com', environment: 'live', networkConfig: { authorizationConfig: { isJwtEnabled: true } } },
  { transport: createFetchTransport(), storage: createWebStorage() },
)
sdk.identify('user-1')
sdk.passAuthenticationDetails({ token: globalThis.appToken, identifier: 'user-1' })
sdk.track('Added to cart', { sku: 'A1', price: 9.5 })
void sdk.flush()
