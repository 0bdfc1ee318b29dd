import type { Config } from '#shared/config.js';
import { getConfig } from '#shared/config.js';
import type { HttpEvent } from '#shared/http/middleware.js';
import { json, type HttpResult } from '#shared/http/response.js';
import { handlePaymentRequest } from './connector.js';
import { auditPaymentOutcome } from './payment-audit.js';
import type { PaymentGateway } from './gateway.js';
import { createTestGateway } from './test-gateway.js';
import { onInstanceReset } from '#shared/instance.js';

/** The configured gateway; a real processor adapter is one more case here (see gateway.ts). */
function createPaymentGateway(config: Config): PaymentGateway {
  switch (config.PAYMENT_GATEWAY) {
    // No warning logged here: it would be a second log line (and the first on stderr) on the
    // first payment; every payment's line carries the test gateway's notice instead.
    case 'test':
      return createTestGateway();
  }
}

let gateway: PaymentGateway | undefined;
onInstanceReset(() => {
  gateway = undefined;
});

/**
 * Core of the payment-connector function: the body was parsed (and its signature checked when
 * present) by the house middlewares; this answers in SignalWire's connector shape.
 */
export async function paymentConnectorCore(event: HttpEvent): Promise<HttpResult> {
  gateway ??= createPaymentGateway(getConfig());
  const result = await handlePaymentRequest(event.jsonBody, gateway);
  // The outcome (never card data) into the audit trail of the call the URL's token proves.
  await auditPaymentOutcome(event.queryStringParameters, result);
  return json(result.statusCode, result.body);
}
