/** The consent engine: policy, jurisdictions, caller hashing and the consent/audit stores. */
export * from './types.js';
export * from './policy.js';
export * from './transitions.js';
export * from './memory-consent-store.js';
