/** The payment connector's request reader as it was (bench/yielded.ts swaps it in). */
export { ConnectorRequestError } from '#shared/payments/connector-request.js';
export { parseConnectorRequestWithZod as parseConnectorRequest } from '#test/support/connector-request-zod.js';
