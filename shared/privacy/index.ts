/**
 * Privacy operations: erasure, export, legal hold and the audit timeline, for the operator
 * function (functions/privacy) and the CLI. Storage adapters are imported from their own
 * modules (call-data-store.ts) where wanted.
 */
export * from './types.js';
export * from './keys.js';
export type { CallDataStore, StoredItem } from './call-data.js';
export type { PrivacyDeps } from './deps.js';
export { eraseCall, eraseCaller, callsOfCaller, callerHashOf } from './erase.js';
export { exportCall, exportCaller } from './export.js';
export { setLegalHold, heldMetadataDocument, pinHeldItems } from './legal-hold.js';
export { callProtection, type CallProtection } from './snapshot.js';
export { auditTimeline, formatTimeline } from './audit.js';
export { SignalWireRecordings, recordingUuidFromUrl, signalWireRecordingsFromConfig } from './signalwire-recordings.js';
