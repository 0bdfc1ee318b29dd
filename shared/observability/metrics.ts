import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** EMF metrics in one namespace; the stack's alarms and dashboard read these names. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'RecordingAgent',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'recording-agent',
});

export const MetricName = {
  ConsentGranted: 'ConsentGranted',
  ConsentDeclined: 'ConsentDeclined',
  ConsentWithdrawn: 'ConsentWithdrawn',
  RecordingBlocked: 'RecordingActionBlocked',
  RecordingStored: 'RecordingStored',
  RecordingWithoutConsent: 'RecordingWithoutConsent',
  WebhookDuplicate: 'WebhookDuplicate',
  PaymentApproved: 'PaymentApproved',
  PaymentDeclined: 'PaymentDeclined',
  AuthFailure: 'AuthFailure',
} as const;
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

export function countMetric(name: MetricNameValue, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
