import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { getConfig } from '#shared/config.js';
import { logger } from '#shared/observability/logger.js';
import { publishMetrics } from '#shared/observability/metrics.js';
import { retentionEnforcerCore, type RetentionReport } from '#shared/retention/enforcer-core.js';

getConfig(); // validate configuration at cold start

/**
 * Retention enforcer: invoked daily by EventBridge Scheduler (no HTTP route, no event content
 * used). A run that could not do everything throws, so the function's error alarm fires.
 */
export const handler = middy<unknown, RetentionReport>(() => retentionEnforcerCore())
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(publishMetrics());
