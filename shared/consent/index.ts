/**
 * The consent engine: policy, jurisdictions, caller hashing and the in-memory store.
 *
 * `DynamoConsentStore` is deliberately NOT re-exported: importing it pulls in the AWS SDK, and
 * the SWML function, which only needs policy and jurisdictions, must stay free of it. Import
 * it from './dynamo-consent-store.js' where storage is wanted.
 */
export * from './types.js';
export * from './policy.js';
export * from './transitions.js';
export * from './caller-hash.js';
export * from './jurisdictions.js';
export { JURISDICTION_TABLE, CALLING_CODES } from './jurisdiction-table.js';
export { AREA_CODES_BY_JURISDICTION } from './nanp-area-codes.js';
export * from './memory-consent-store.js';
