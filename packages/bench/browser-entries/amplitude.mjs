// Minimal browser integration of @amplitude/analytics-browser: init, identify, track, flush.
import { flush, init, setUserId, track } from '@amplitude/analytics-browser'

init('API_KEY')
setUserId('user-1')
track('Added to cart', { sku: 'A1', price: 9.5 })
void flush()
