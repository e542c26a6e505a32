// Minimal browser integration of posthog-js: init, identify, capture (no public flush; its
// request queue sends on its own).
import posthog from 'posthog-js'

posthog.init('phc_PROJECT_TOKEN', { api_host: 'https://us.i.posthog.com' })
posthog.identify('user-1')
posthog.capture('Added to cart', { sku: 'A1', price: 9.5 })
