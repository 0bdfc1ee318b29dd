import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { getConfig } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { publishMetrics } from '#shared/observability/metrics.js';
import { privacyCore, type OperatorResponse } from '#shared/privacy/privacy-core.js';

getConfig(); // validate configuration at cold start

/**
 * Operator privacy jobs (erase, export, legal hold, audit), invoked directly with IAM
 * (lambda:InvokeFunction); no HTTP route. logEvent stays off: the event may carry a caller's number.
 */
export const handler = middy<unknown, OperatorResponse>(privacyCore)
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(publishMetrics());
