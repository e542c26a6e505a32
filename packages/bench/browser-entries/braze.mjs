// Minimal browser integration of @braze/web-sdk: initialize, identify (changeUser), track, flush.
import { changeUser, initialize, logCustomEvent, openSession, requestImmediateDataFlush } from '@braze/web-sdk'

initialize('API_KEY', { baseUrl: 'sdk.iad-01.braze.com' })
changeUser('user-1')
openSession()
logCustomEvent('Added to cart', { sku: 'A1', price: 9.5 })
requestImmediateDataFlush()
