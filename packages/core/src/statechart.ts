/**
 * @packageDocumentation
 * The jwt-sync statechart for tools: diagrams (`statechartToMermaid`), live views of the chart,
 * path and coverage tests. Apps use `createSdk` from `@jwt-sync/core`, which runs this machine.
 */
export { createSyncMachine, idleActor } from './sync/machine.js'
export type { SyncMachine, SyncMachineDeps, SyncMachineInput, FormBatchInput, SendBatchInput } from './sync/machine.js'
export type { SyncContext, MachineSettings, TokenRecord, FrozenBatch, OwedDeletion, RefusedToken } from './sync/context.js'
export type { SyncEvent, SyncEmitted, RestoredState } from './sync/events.js'
export type { SyncPlan, RestReason } from './sync/plan.js'
export type { AuthState, TokenState } from './sync/authState.js'
export { describeSyncMachine, listStates, listTransitions, statechartToMermaid, transitionKey } from './sync/statechartGraph.js'
export type { TransitionInfo } from './sync/statechartGraph.js'
