import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { getConfig } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { publishMetrics } from '#shared/observability/metrics.js';
import { transcriptionConsumerCore } from '#shared/recordings/transcription-consumer-core.js';

getConfig(); // validate configuration at cold start

/**
 * Transcription consumer: SQS-triggered (transcription queue, partial batch responses), starts
 * one Amazon Transcribe job with PII redaction per stored recording. logEvent stays off (house rule).
 */
export const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent) => transcriptionConsumerCore(event))
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(publishMetrics());
