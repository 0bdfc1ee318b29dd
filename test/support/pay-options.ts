import type { PayOptions } from '#shared/swml/verbs.js';

/**
 * Every option of the Python SDK's `pay(...)`, set away from its default: the input behind the
 * golden JSON that the pay verb builder and FunctionResult.pay are both held to.
 */
export const EVERY_PAY_OPTION = {
  connectorUrl: 'https://u:p@example.com/pay',
  statusUrl: 'https://u:p@example.com/pay-status',
  timeout: 10,
  maxAttempts: 3,
  securityCode: false,
  postalCode: '90210',
  minPostalCodeLength: 5,
  tokenType: 'one-time',
  chargeAmount: '19.99',
  currency: 'eur',
  language: 'en-GB',
  voice: 'man',
  description: 'Order 42',
  validCardTypes: 'visa',
  parameters: [{ name: 'order', value: '42' }],
  prompts: [{ for: 'payment-card-number', actions: [{ type: 'Say', phrase: 'Enter your card number' }] }],
} satisfies PayOptions;
