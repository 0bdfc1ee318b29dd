import { getConfig } from '#shared/config.js';
import { signalwireHandler } from '#shared/http/handler.js';
import { swmlCore } from '#shared/agent/swml-core.js';

getConfig(); // validate configuration at cold start: a bad deploy fails at init, not mid-call
export const handler = signalwireHandler(swmlCore, { allowEmpty: true, signature: 'required' });
