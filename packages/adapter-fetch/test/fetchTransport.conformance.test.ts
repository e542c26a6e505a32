import { describeTransportConformance } from '@jwt-sync/conformance'
import { createFetchTransport } from '../src/index.js'

// The platform's fetch with AbortController (Node 20, browsers).
describeTransportConformance('fetch (AbortController)', () => createFetchTransport())

// Platforms without AbortController (JavaScriptCore, some React Native): the clock race alone.
describeTransportConformance('fetch (clock race, no AbortController)', () => createFetchTransport({ useAbortController: false }))
