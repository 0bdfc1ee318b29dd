import type { MiddlewareObj } from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger.js';

/**
 * The EMF namespace of every metric below: the stack sets it on each function
 * (POWERTOOLS_METRICS_NAMESPACE) and its dashboard and alarms read it (infra/stack).
 */
export const METRICS_NAMESPACE = 'RecordingAgent';

let instance: Metrics | undefined;

/**
 * EMF metrics in one namespace; the stack's alarms and dashboard read these names. Built on the
 * first metric, not at import: most requests count nothing (every SWML document, most recording
 * callbacks), and those never construct Powertools Metrics nor flush it, which keeps it off
 * their cold start (npm run bench shows what it costs there).
 */
export function metrics(): Metrics {
  instance ??= new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'recording-agent',
    // Powertools' own notices through our logger at debug level, not as unstructured lines.
    logger: {
      debug: (...args: unknown[]) => logger.debug(String(args[0])),
      info: (...args: unknown[]) => logger.debug(String(args[0])),
      warn: (...args: unknown[]) => logger.debug(String(args[0])),
      error: (...args: unknown[]) => logger.error(String(args[0])),
    },
  });
  return instance;
}

/**
 * Middy middleware that publishes what an invocation counted, after it and on error: Powertools'
 * `logMetrics` on the {@link metrics} instance, except that an invocation which counted nothing
 * publishes nothing (logMetrics would build the instance and log "no metrics to publish").
 */
export function publishMetrics<TEvent, TResult>(): MiddlewareObj<TEvent, TResult> {
  const publish = (): void => {
    if (instance?.hasStoredMetrics()) instance.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}

export const MetricName = {
  ConsentGranted: 'ConsentGranted',
  ConsentDeclined: 'ConsentDeclined',
  ConsentWithdrawn: 'ConsentWithdrawn',
  RecordingBlocked: 'RecordingActionBlocked',
  RecordingStored: 'RecordingStored',
  RecordingWithoutConsent: 'RecordingWithoutConsent',
  SensitiveWhileRecording: 'SensitiveWhileRecording',
  /** A record_call status callback the consent state does not allow (issue #11 point 3). */
  RecordingIncident: 'RecordingIncident',
  WebhookDuplicate: 'WebhookDuplicate',
  PaymentApproved: 'PaymentApproved',
  PaymentDeclined: 'PaymentDeclined',
  AuthFailure: 'AuthFailure',
  /** A wrong signature on a route where SignalWire does not document signing: counted, not refused. */
  SignatureMismatch: 'SignatureMismatch',
  /** The payment connector could not process the request (invalid request, processor unreachable). */
  PaymentError: 'PaymentError',
  /** A payment whose URL carried no valid call token: processed, not audited (no call to audit it on). */
  PaymentUnknownCall: 'PaymentUnknownCall',
  /** A payment outcome that could not be written to its call's audit trail (storage fault). */
  PaymentAuditFailed: 'PaymentAuditFailed',
  /** SignalWire holds a recording we have no metadata for: its callback was lost (retention enforcer). */
  RecordingWithoutCallback: 'RecordingWithoutCallback',
  /** Recordings (our metadata and audio, or SignalWire's copy) the retention enforcer deleted. */
  RetentionRecordingDeleted: 'RetentionRecordingDeleted',
  /** SignalWire's copy of a recording deleted once ours was archived (SIGNALWIRE_COPY=delete-after-archive). */
  SignalWireCopyDeleted: 'SignalWireCopyDeleted',
  /** A request answered 500 internal_error: a bug or a misconfiguration, not a caller's mistake (shared/http/middleware.ts). */
  UnhandledError: 'UnhandledError',
  /** A key of the SignalWire secret that does not validate: ignored, as if unset (shared/aws/secrets.ts). */
  SignalWireSecretInvalid: 'SignalWireSecretInvalid',
  /** Transcribe jobs started for stored recordings (the transcription consumer). */
  TranscriptionStarted: 'TranscriptionStarted',
  /** Redacted transcripts stored next to their recordings (the transcript completion). */
  TranscriptStored: 'TranscriptStored',
  /** Transcribe jobs that failed: no transcript for that recording (alarmed). */
  TranscriptFailed: 'TranscriptFailed',
} as const;
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

export function countMetric(name: MetricNameValue, value = 1): void {
  metrics().addMetric(name, MetricUnit.Count, value);
}
