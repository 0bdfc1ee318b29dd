import { getConfig } from '#shared/config.js';
import { loadSecrets } from '#shared/aws/secrets.js';
import { CallErasedError, type ConsentStore } from '#shared/consent/types.js';
import { onInstanceReset } from '#shared/instance.js';
import { logger } from '#shared/observability/logger.js';
import { countMetric, MetricName } from '#shared/observability/metrics.js';
import { paymentCallFromQuery } from './call-token.js';
import type { ConnectorResponse } from './connector.js';

/** What a payment came to, as the call's audit trail records it. Never card data. */
export type PaymentOutcome = 'approved' | 'declined' | 'error';

/** 200 approved, 402 (the connector's decline) declined, anything else (invalid request, processor down) error. */
function paymentOutcome(response: ConnectorResponse): PaymentOutcome {
  if (response.statusCode === 200) return 'approved';
  return response.statusCode === 402 ? 'declined' : 'error';
}

let store: ConsentStore | undefined;
onInstanceReset(() => {
  store = undefined;
});

/**
 * The consent store, loaded on the first audited payment only: a request without a valid call
 * token (or a failed one) never builds a DynamoDB client.
 */
async function auditStore(): Promise<ConsentStore> {
  if (!store) {
    const { DynamoConsentStore } = await import('#shared/consent/dynamo-consent-store.js');
    store ??= new DynamoConsentStore();
  }
  return store;
}

/** Tests use an in-memory (or failing) store; {@link resetInstance} forgets it. */
export function usePaymentAuditStoreForTests(next: ConsentStore | undefined): void {
  store = next;
}

/** A processor's error code, if it looks like one (a code, never a sentence or a value). */
const safeCode = (code: string | null): string | undefined =>
  code !== null && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined;

/**
 * Writes a payment's outcome (`payment_result`: approved, declined or error, the kind, the
 * error code) into the audit trail of the call its URL's token proves (shared/payments/call-token.ts),
 * and counts errors. Never throws: the payment has been decided by now, and answering it anything
 * but its outcome could make SignalWire retry a charge. Without a valid token (missing, forged,
 * expired) there is no call to audit it on: nothing is written, `PaymentUnknownCall` is counted
 * and a warning logged. An erased call stays erased (nothing written).
 */
export async function auditPaymentOutcome(
  query: Readonly<Record<string, string | undefined>> | undefined,
  response: ConnectorResponse,
): Promise<PaymentOutcome> {
  const outcome = paymentOutcome(response);
  if (outcome === 'error') countMetric(MetricName.PaymentError);
  try {
    const { tokenSecret } = await loadSecrets(getConfig());
    const call = paymentCallFromQuery(query, tokenSecret);
    if (!('callId' in call)) {
      countMetric(MetricName.PaymentUnknownCall);
      logger.warn('payment outcome not audited: no valid call token in the connector URL', { reason: call.verdict, outcome });
      return outcome;
    }
    const code = safeCode(response.body.error_code);
    await (await auditStore()).appendEvent(call.callId, {
      type: 'payment_result',
      detail: {
        outcome,
        kind: 'token_id' in response.body ? 'tokenize' : 'charge',
        ...(code === undefined ? {} : { error_code: code }),
      },
    });
  } catch (error) {
    if (error instanceof CallErasedError) {
      logger.info('payment outcome not audited: the call was erased', { outcome });
      return outcome;
    }
    countMetric(MetricName.PaymentAuditFailed);
    logger.error('payment outcome could not be audited', {
      outcome,
      error_name: error instanceof Error ? error.name : typeof error,
    });
  }
  return outcome;
}
