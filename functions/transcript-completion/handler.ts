import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { getConfig } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { publishMetrics } from '#shared/observability/metrics.js';
import {
  transcriptCompletionCore,
  type CompletionOutcome,
  type TranscribeJobStateChange,
} from '#shared/recordings/transcript-completion-core.js';

getConfig(); // validate configuration at cold start

type JobStateChange = EventBridgeEvent<'Transcribe Job State Change', TranscribeJobStateChange>;

/**
 * Transcript completion: EventBridge rule on Transcribe's job state change (our jobs, COMPLETED
 * or FAILED) → the redacted transcript moved next to its recording through the call's write gate.
 */
export const handler = middy<JobStateChange, { outcome: CompletionOutcome }>((event: JobStateChange) =>
  transcriptCompletionCore(event),
)
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(publishMetrics());
