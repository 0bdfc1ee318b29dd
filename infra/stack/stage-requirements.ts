import { FUNCTION_NAMES, reservedConcurrencyFor, type StackSettings } from './settings.js';

/** The archive worker's SQS event source may run this many at once (agent-functions.ts). */
export const ARCHIVE_WORKER_MAX_CONCURRENCY = 5;

/** Lambda refuses a reservation that leaves fewer than this many unreserved executions in the account. */
const UNRESERVED_MINIMUM = 100;

/** What a stage that takes real calls must say: everything a caller hears, where alarms go, how cards are charged. */
function productionProblems(settings: StackSettings): string[] {
  const problems: string[] = [];
  for (const key of ['privacyContact', 'agentName', 'companyName'] as const) {
    if (settings[key] === undefined) problems.push(`${key} is required (callers hear it)`);
  }
  if (!settings.alarmEmail && !settings.alarmTopicArn) {
    problems.push('alarmEmail or alarmTopicArn is required (otherwise no alarm reaches anyone)');
  }
  if (!settings.paymentConnectorUrl && !settings.allowTestGateway) {
    problems.push(
      'paymentConnectorUrl is required (the built-in test gateway approves any Luhn-valid card without charging it; allowTestGateway=true to accept that)',
    );
  }
  return problems;
}

/** SNS delivers only to a topic in the alarm's region. */
function alarmTopicProblems(settings: StackSettings, region: string | undefined): string[] {
  const topicRegion = settings.alarmTopicArn?.split(':')[3];
  return region && topicRegion && topicRegion !== region
    ? [
        `alarmTopicArn is in ${topicRegion}, the stack in ${region}: CloudWatch alarms can only notify a topic in their own region`,
      ]
    : [];
}

/**
 * A layer is usable only in its own region. An environment-agnostic stack (region unknown at synth)
 * is refused an override too: its template may be deployed in any region, where the pinned layer
 * would fail only at deploy time; `cdk deploy` knows its region (CDK_DEFAULT_REGION), so this
 * only stops a synth that has none.
 */
function secretsExtensionLayerProblems(settings: StackSettings, region: string | undefined): string[] {
  const arn = settings.secretsExtensionLayerArn;
  if (!arn) return [];
  const layerRegion = arn.split(':')[3];
  if (!region) {
    return [
      `secretsExtensionLayerArn (a layer in ${layerRegion}) needs a stack with a concrete region: set AWS_REGION or the profile's region, or leave it unset`,
    ];
  }
  return layerRegion === region
    ? []
    : [
        `secretsExtensionLayerArn is in ${layerRegion}, the stack in ${region}: Lambda loads layers from the function's own region only`,
      ];
}

/** Reservations the account can grant, and one that does not starve the archive worker's event source. */
function concurrencyProblems(settings: StackSettings): string[] {
  const problems: string[] = [];
  const total = FUNCTION_NAMES.reduce((sum, name) => sum + (reservedConcurrencyFor(settings, name) ?? 0), 0);
  const grantable = settings.accountConcurrencyLimit - UNRESERVED_MINIMUM;
  if (total > grantable) {
    problems.push(
      `reservedConcurrency reserves ${total} executions in total (a single number applies to each of the ${FUNCTION_NAMES.length} functions); ` +
        `with accountConcurrencyLimit ${settings.accountConcurrencyLimit} Lambda grants at most ${grantable} (it keeps ${UNRESERVED_MINIMUM} unreserved): check aws lambda get-account-settings`,
    );
  }
  const archive = reservedConcurrencyFor(settings, 'archive-worker');
  if (archive !== undefined && archive < ARCHIVE_WORKER_MAX_CONCURRENCY) {
    problems.push(
      `reservedConcurrency for archive-worker must be at least ${ARCHIVE_WORKER_MAX_CONCURRENCY}, its queue's maximum concurrency (fewer throttles the event source)`,
    );
  }
  return problems;
}

/**
 * Settings that are each valid but wrong together, or wrong for a stage that takes real calls.
 * `region` is the stack's, when known at synth time. Throws one error naming every problem.
 */
export function checkStageRequirements(settings: StackSettings, region: string | undefined): void {
  const problems = [
    ...(settings.disposable ? [] : productionProblems(settings)),
    ...alarmTopicProblems(settings, region),
    ...secretsExtensionLayerProblems(settings, region),
    ...concurrencyProblems(settings),
  ];
  if (problems.length > 0) {
    throw new Error(`stage ${settings.stage} cannot be deployed as configured:\n  - ${problems.join('\n  - ')}`);
  }
}
