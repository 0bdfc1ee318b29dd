import { getConfig } from '#shared/config.js';
import { signalwireHandler } from '#shared/http/handler.js';
import { paymentConnectorCore } from '#shared/payments/payment-connector-core.js';

getConfig(); // validate configuration at cold start: a bad deploy fails at init, not mid-payment

/** SignalWire's pay verb posts card details here (docs/protocol.md §4); signed requests are verified. */
export const handler = signalwireHandler(paymentConnectorCore, { signature: 'when-present' });
