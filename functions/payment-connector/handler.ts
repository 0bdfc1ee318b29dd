import { getConfig } from '#shared/config.js';
import { signalwireHandler } from '#shared/http/handler.js';
import { paymentTokenAuth } from '#shared/payments/call-token.js';
import { paymentConnectorCore } from '#shared/payments/payment-connector-core.js';

getConfig(); // validate configuration at cold start: a bad deploy fails at init, not mid-payment

/**
 * SignalWire's pay verb posts card details here (docs/protocol.md §4). Admitted on basic auth or
 * the call token in the URL (shared/payments/call-token.ts); a signature, when sent, is checked,
 * and a mismatch is counted and logged, never a reason to drop a payment.
 */
export const handler = signalwireHandler(paymentConnectorCore, { signature: 'when-present', tokenAuth: paymentTokenAuth });
