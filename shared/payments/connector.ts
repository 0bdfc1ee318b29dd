import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { cardSummary } from './card.js';
import { ConnectorRequestError, parseConnectorRequest, type ConnectorRequest } from './connector-request.js';
import type { GatewayResult, PaymentGateway } from './gateway.js';

/**
 * The connector's answer bodies (docs/protocol.md §4). Success is 200 with the id and explicit
 * nulls; any failure is non-200 with a null id, which SignalWire reports to the AI as a
 * failed attempt (and may retry up to the pay verb's max_attempts).
 */
type ConnectorResponseBody =
  | { charge_id: string | null; error_code: string | null; error_message: string | null }
  | { token_id: string | null; error_code: string | null; error_message: string | null };

export interface ConnectorResponse {
  statusCode: number;
  body: ConnectorResponseBody;
}

/** Payment Required: the conventional status for a decline. */
const DECLINED_STATUS = 402;

function idKey(kind: ConnectorRequest['kind']): 'charge_id' | 'token_id' {
  return kind === 'charge' ? 'charge_id' : 'token_id';
}

function answer(
  kind: ConnectorRequest['kind'],
  statusCode: number,
  id: string | null,
  errorCode: string | null,
  errorMessage: string | null,
): ConnectorResponse {
  const body = { [idKey(kind)]: id, error_code: errorCode, error_message: errorMessage } as ConnectorResponseBody;
  return { statusCode, body };
}

async function callGateway(request: ConnectorRequest, gateway: PaymentGateway): Promise<GatewayResult> {
  if (request.kind === 'charge') {
    const { kind: _charge, ...charge } = request;
    return gateway.charge(charge);
  }
  const { kind: _tokenize, ...tokenize } = request;
  return gateway.tokenize(tokenize);
}

/** A log-safe identifier: SignalWire's transaction ids are UUID-like; anything else is left out. */
function safeTransactionId(id: string | undefined): string | undefined {
  return id !== undefined && /^[\w.:-]{1,128}$/.test(id) ? id : undefined;
}

/**
 * Serves one pay-connector request: parse, hand the card to the gateway, answer in
 * SignalWire's shape. The full card number, CVV and expiry go to the gateway and nowhere
 * else: logs carry brand, last four, result and transaction id only, and no error message
 * (ours or the gateway's exception) ever includes a field value.
 */
export async function handlePaymentRequest(body: unknown, gateway: PaymentGateway): Promise<ConnectorResponse> {
  let request: ConnectorRequest;
  try {
    request = parseConnectorRequest(body);
  } catch (error) {
    if (!(error instanceof ConnectorRequestError)) throw error;
    logger.warn('payment request rejected', { missing: error.missing, invalid: error.invalid });
    return answer('charge', 400, null, 'invalid_request', error.message);
  }

  const summary = {
    transaction_id: safeTransactionId(request.transactionId),
    kind: request.kind,
    gateway: gateway.name,
    ...(gateway.notice === undefined ? {} : { notice: gateway.notice }),
    ...cardSummary(request.card),
    currency: request.currency,
    ...(request.kind === 'charge' ? { amount: request.amount } : {}),
  };

  let result: GatewayResult;
  try {
    result = await callGateway(request, gateway);
  } catch (error) {
    // Only the error's class: a processor SDK's message or stack may quote the request.
    logger.error('payment gateway failed', { ...summary, error_name: error instanceof Error ? error.name : typeof error });
    countMetric(MetricName.PaymentDeclined);
    return answer(request.kind, 502, null, 'processing_error', 'The payment processor could not be reached.');
  }

  if (result.approved) {
    countMetric(MetricName.PaymentApproved);
    logger.info('payment approved', { ...summary, result: 'approved', [idKey(request.kind)]: result.id });
    return answer(request.kind, 200, result.id, null, null);
  }
  countMetric(MetricName.PaymentDeclined);
  logger.info('payment declined', { ...summary, result: 'declined', error_code: result.errorCode });
  return answer(request.kind, DECLINED_STATUS, null, result.errorCode, result.errorMessage);
}
