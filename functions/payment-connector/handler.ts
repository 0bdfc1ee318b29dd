import { signalwireHandler } from '#shared/http/handler.js';
import { paymentCore } from '#shared/payments/http.js';

/** SignalWire's pay verb posts card details here (docs/protocol.md §4); signed requests are verified. */
export const handler = signalwireHandler(paymentCore, { signature: 'when-present' });
