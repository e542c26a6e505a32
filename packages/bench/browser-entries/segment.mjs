// Minimal browser integration of @segment/analytics-next: load, identify, track (no public flush;
// it sends on its own).
import { AnalyticsBrowser } from '@segment/analytics-next'

const analytics = AnalyticsBrowser.load({ writeKey: 'WRITE_KEY' })
void analytics.identify('user-1')
void analytics.track('Added to cart', { sku: 'A1', price: 9.5 })
