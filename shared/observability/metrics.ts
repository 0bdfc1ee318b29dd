import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger.js';

/**
 * The EMF namespace of every metric below: the stack sets it on each function
 * (POWERTOOLS_METRICS_NAMESPACE) and its dashboard and alarms read it (infra/stack).
 */
export const METRICS_NAMESPACE = 'RecordingAgent';

/** EMF metrics in one namespace; the stack's alarms and dashboard read these names. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'recording-agent',
  // Powertools' own notices ("no metrics to publish" on most requests) through our logger at
  // debug level, instead of an unstructured line on every invocation.
  logger: {
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.debug(String(args[0])),
    warn: (...args: unknown[]) => logger.debug(String(args[0])),
    error: (...args: unknown[]) => logger.error(String(args[0])),
  },
});

export const MetricName = {
  ConsentGranted: 'ConsentGranted',
  ConsentDeclined: 'ConsentDeclined',
  ConsentWithdrawn: 'ConsentWithdrawn',
  RecordingBlocked: 'RecordingActionBlocked',
  RecordingStored: 'RecordingStored',
  RecordingWithoutConsent: 'RecordingWithoutConsent',
  SensitiveWhileRecording: 'SensitiveWhileRecording',
  WebhookDuplicate: 'WebhookDuplicate',
  PaymentApproved: 'PaymentApproved',
  PaymentDeclined: 'PaymentDeclined',
  AuthFailure: 'AuthFailure',
} as const;
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

export function countMetric(name: MetricNameValue, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
