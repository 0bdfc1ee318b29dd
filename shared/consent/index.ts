/** The consent engine: policy, jurisdictions, caller hashing and the consent/audit stores. */
export * from './types.js';
export * from './policy.js';
export * from './transitions.js';
export * from './caller-hash.js';
export * from './jurisdictions.js';
export { JURISDICTION_TABLE } from './jurisdiction-table.js';
export * from './memory-consent-store.js';
