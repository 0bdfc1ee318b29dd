import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { getConfig } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { archiveWorkerCore } from '#shared/recordings/archive-worker-core.js';

getConfig(); // validate configuration at cold start

/**
 * Audio archive worker: SQS-triggered (archive queue, partial batch responses), copies each
 * stored recording's audio from SignalWire into the bucket. logEvent stays off: nothing in a
 * job is sensitive, but the house rule is one answer for every function.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent) => archiveWorkerCore(event)).use(
  injectLambdaContext(logger, { resetKeys: true, logEvent: false }),
);
