import type { CardDetails } from './card.js';

/** A charge SignalWire asked for, already validated and normalized. */
export interface ChargeRequest {
  /** SignalWire's id for this payment attempt; safe to log and to pass on as an idempotency key. */
  transactionId?: string;
  card: CardDetails;
  /** Decimal amount in major units as a string ("10.50"): never a float on its way to money. */
  amount: string;
  /** ISO 4217, lower case. */
  currency: string;
  description?: string;
  /** The `parameters` of the pay verb, name → value. */
  parameters: Readonly<Record<string, string>>;
}

/** Store the card for later charges instead of charging now (pay with `amount: 0`). */
export interface TokenizeRequest {
  transactionId?: string;
  card: CardDetails;
  currency: string;
  /** "reusable" or "one-time", as the pay verb's token_type says. */
  tokenType?: string;
  description?: string;
  parameters: Readonly<Record<string, string>>;
}

/**
 * A processor's answer. `errorMessage` is read back to nobody but SignalWire; it must never
 * contain card data (adapters: do not copy a processor's free text if it might echo the PAN).
 */
export type GatewayResult = { approved: true; id: string } | { approved: false; errorCode: string; errorMessage: string };

/**
 * The port between the connector protocol and whoever moves money.
 *
 * Ships with the test gateway (shared/payments/test-gateway.ts). A real processor adapter is
 * the extension point: implement this interface in `shared/payments/<processor>-gateway.ts`
 * (it is the only code besides the connector that sees the full card number and CVV; it sends
 * them to the processor over TLS and nowhere else), add its name to `PAYMENT_GATEWAY` in
 * shared/config.ts and to `createPaymentGateway` in shared/payments/payment-connector-core.ts, read its API key
 * through shared/aws/secrets.ts, and pass `transactionId` as the processor's idempotency key
 * so SignalWire's retries cannot double-charge. Resolve declines as `{approved: false}`;
 * throw only when the processor could not be reached or answered nonsense — the connector
 * turns that into a 502 without logging the error's message.
 *
 * Alternative that keeps this code out of PCI scope altogether: set PAYMENT_CONNECTOR_URL to
 * the processor's own SignalWire pay connector and card data never reaches AWS.
 */
export interface PaymentGateway {
  /** Short name for logs and metrics ("test", "stripe", …). */
  readonly name: string;
  /**
   * What an operator must know about every payment this gateway serves ("no money moves"):
   * a field of each payment's one log line, rather than a log line of its own.
   */
  readonly notice?: string;
  charge(request: ChargeRequest): Promise<GatewayResult>;
  tokenize(request: TokenizeRequest): Promise<GatewayResult>;
}
