export * from './document.js';
export * from './verbs.js';
export * from './ai.js';
