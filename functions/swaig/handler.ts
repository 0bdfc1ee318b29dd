import { getConfig } from '#shared/config.js';
import { signalwireHandler } from '#shared/http/handler.js';
import { swaigCore } from '#shared/agent/swaig-core.js';

getConfig(); // validate configuration at cold start: a bad deploy fails at init, not mid-call
export const handler = signalwireHandler(swaigCore);
