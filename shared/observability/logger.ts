import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact.js';

/**
 * The one logger: Powertools structured JSON with redaction on every serialized value.
 * Lambda functions set the correlation id to SignalWire's call_id so one Logs Insights query
 * shows a whole call across functions.
 */
function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName,
    logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
    jsonReplacerFn: redactingReplacer,
  });
}

export const logger = createLogger(process.env.POWERTOOLS_SERVICE_NAME ?? 'recording-agent');
