import { getConfig } from '#shared/config.js';
import { signalwireHandler } from '#shared/http/handler.js';
import { paymentCore } from '#shared/payments/http.js';

getConfig(); // validate configuration at cold start: a bad deploy fails at init, not mid-payment

/** SignalWire's pay verb posts card details here (docs/protocol.md §4); signed requests are verified. */
export const handler = signalwireHandler(paymentCore, { signature: 'when-present' });
