import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  type IMetric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, MetricName, type MetricNameValue } from '#shared/observability/metrics.js';
import type { AgentFunction } from './agent-function.js';
import { LOG_QUERIES } from './log-queries.js';

export interface ObservabilityProps {
  /** Prefix for the dashboard and query names, e.g. `recording-agent-prod`. */
  name: string;
  functions: AgentFunction[];
  api: HttpApi;
  /** Each DLQ gets a "not empty" alarm: construct id → queue and what its messages mean. */
  deadLetterQueues: Record<string, { queue: IQueue; description: string }>;
  /** Service (function) that emits RecordingWithoutConsent and RecordingIncident; the alarms watch its dimension. */
  recordingWebhookService: string;
  /** Service (function) that runs SWAIG tools and emits SensitiveWhileRecording. */
  toolService: string;
  /** Service (function) of the retention enforcer, which emits RecordingWithoutCallback. */
  retentionService: string;
  /** Services behind the HTTP API, whose error middleware counts UnhandledError. */
  httpServices: string[];
  /** The transcription queue: its oldest message's age is alarmed (a stuck or failing consumer). */
  transcriptionQueue: IQueue;
  /** Service (function) of the transcript completion, which emits TranscriptFailed. */
  transcriptService?: string;
  /** Existing topic (same region), or an address subscribed to a topic of the stack's own. */
  alarmTopicArn?: string;
  alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/** Share of API requests answered 5xx (percent) that pages someone. */
const API_5XX_PERCENT_THRESHOLD = 5;

/**
 * At low traffic the rate alarm never fires (it needs 20 requests in 5 minutes) and handled 500s
 * leave Lambda's Errors at 0: this many 5xx answers in {@link API_5XX_WINDOW} page whatever the traffic.
 */
const API_5XX_COUNT_THRESHOLD = 3;
const API_5XX_WINDOW = Duration.minutes(15);

/**
 * The transcription worker takes a job within minutes, or retries it (missing audio) a few
 * times before the DLQ; a job older than this means the consumer is stuck, well before the
 * queue's 4-day retention drops it.
 */
const TRANSCRIPTION_MAX_AGE = Duration.hours(24);

/**
 * One of our EMF metrics summed over whichever functions emit it. SEARCH keeps the dashboard
 * right when a metric moves between functions: every series carries its `service` dimension.
 */
function emfSearch(name: MetricNameValue): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},service} MetricName="${name}"', 'Sum', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    label: name,
    period: PERIOD,
  });
}

/**
 * What an operator lives in after `cdk deploy`: a dashboard (functions, API, our EMF business
 * metrics), alarms that mean "look now", and saved Logs Insights queries over every function.
 */
export class Observability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.dashboard = this.buildDashboard(props);
    this.buildAlarms(props);
    this.buildQueries(props);
  }

  /** Console link to the dashboard (a stack output). */
  get dashboardUrl(): string {
    return `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  private buildDashboard(props: ObservabilityProps): Dashboard {
    // Dashboards are global to the account: the region in the name keeps two regions' stacks apart.
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${props.name}-${Stack.of(this).region}` });
    const perFunction = (pick: (fn: AgentFunction) => IMetric): IMetric[] => props.functions.map(pick);
    const graph = (title: string, left: IMetric[], width = 8): GraphWidget => new GraphWidget({ title, left, width, height: 6 });

    dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${props.name}\nSignalWire → HTTP API → functions. Metrics namespace \`${METRICS_NAMESPACE}\`, dimension \`service\` = function.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      graph(
        'Invocations',
        perFunction((fn) => fn.metricInvocations({ period: PERIOD, label: fn.serviceName })),
      ),
      graph(
        'Errors',
        perFunction((fn) => fn.metricErrors({ period: PERIOD, label: fn.serviceName })),
      ),
      graph(
        'Duration p99 (ms)',
        perFunction((fn) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: fn.serviceName })),
      ),
    );
    dashboard.addWidgets(
      graph('API requests / 4xx / 5xx', [
        props.api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'requests' }),
        props.api.metricClientError({ period: PERIOD, label: '4xx' }),
        props.api.metricServerError({ period: PERIOD, label: '5xx' }),
      ]),
      graph('API latency p99 (ms)', [props.api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'latency' })]),
      graph(
        'Throttles',
        perFunction((fn) => fn.metricThrottles({ period: PERIOD, label: fn.serviceName })),
      ),
    );
    dashboard.addWidgets(
      graph('Consent', [MetricName.ConsentGranted, MetricName.ConsentDeclined, MetricName.ConsentWithdrawn].map(emfSearch)),
      graph(
        'Recordings',
        [
          MetricName.RecordingStored,
          MetricName.RecordingWithoutConsent,
          MetricName.SensitiveWhileRecording,
          MetricName.RecordingIncident,
          MetricName.RecordingBlocked,
          MetricName.WebhookDuplicate,
          MetricName.RecordingWithoutCallback,
          MetricName.RetentionRecordingDeleted,
          MetricName.SignalWireCopyDeleted,
          MetricName.TranscriptionStarted,
          MetricName.TranscriptStored,
          MetricName.TranscriptFailed,
        ].map(emfSearch),
      ),
      graph(
        'Payments, auth and errors',
        [
          MetricName.PaymentApproved,
          MetricName.PaymentDeclined,
          MetricName.PaymentError,
          MetricName.PaymentUnknownCall,
          MetricName.PaymentAuditFailed,
          MetricName.AuthFailure,
          MetricName.SignatureMismatch,
          MetricName.UnhandledError,
          MetricName.SignalWireSecretInvalid,
        ].map(emfSearch),
      ),
    );
    return dashboard;
  }

  private buildAlarms(props: ObservabilityProps): void {
    const topic = this.alarmTopic(props);
    const add = (alarm: Alarm): void => {
      if (topic) alarm.addAlarmAction(new SnsAction(topic));
      this.alarms.push(alarm);
    };
    const atLeastOne = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data = nothing happened (a quiet line is not an outage).
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };

    for (const fn of props.functions) {
      add(
        new Alarm(this, `${fn.node.id}Errors`, {
          ...atLeastOne,
          metric: fn.metricErrors({ period: PERIOD }),
          alarmDescription: `${fn.serviceName}: unhandled errors or timeouts (mapped 4xx/5xx answers are not errors)`,
        }),
      );
      add(
        new Alarm(this, `${fn.node.id}Throttles`, {
          ...atLeastOne,
          metric: fn.metricThrottles({ period: PERIOD }),
          alarmDescription: `${fn.serviceName}: throttled invocations (SignalWire requests refused)`,
        }),
      );
    }
    for (const [id, { queue, description }] of Object.entries(props.deadLetterQueues)) {
      add(
        new Alarm(this, `${id}NotEmpty`, {
          ...atLeastOne,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
          alarmDescription: description,
        }),
      );
    }
    // Compliance incidents: any occurrence pages. Alarms cannot evaluate SEARCH, so each watches
    // the one function that emits it.
    const incident = (id: MetricNameValue, service: string, description: string): void =>
      add(
        new Alarm(this, id, {
          ...atLeastOne,
          metric: new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: id,
            dimensionsMap: { service },
            statistic: 'Sum',
            period: PERIOD,
          }),
          alarmDescription: description,
        }),
      );
    incident(
      MetricName.RecordingWithoutConsent,
      props.recordingWebhookService,
      'a recording arrived for a call without granted consent: compliance incident',
    );
    incident(
      MetricName.RecordingIncident,
      props.recordingWebhookService,
      'SignalWire reported a recording the consent state does not allow (no consent, after a refusal or withdrawal, while sensitive data was collected, a second recording), or a segment finished after a withdrawal unconfirmed: see the recording_incident audit events of the call',
    );
    incident(
      MetricName.RecordingWithoutCallback,
      props.retentionService,
      'SignalWire holds a recording whose status callback never reached us: see the recording_without_callback incident (audit event on its call, error log); it is deleted once past retention',
    );
    if (props.transcriptService) {
      incident(
        MetricName.TranscriptFailed,
        props.transcriptService,
        'Transcribe could not transcribe a recording (or its output was unreadable): see the transcript_failed audit event of the call',
      );
    }
    incident(
      MetricName.SensitiveWhileRecording,
      props.toolService,
      'a secure tool received sensitive data while the recording was running: erase or redact that recording',
    );
    add(
      new Alarm(this, 'Api5xxRate', {
        metric: new MathExpression({
          // Below 20 requests a single failure is noise, not a rate.
          expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
          usingMetrics: {
            errors: props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
            requests: props.api.metricCount({ period: PERIOD, statistic: 'Sum' }),
          },
          period: PERIOD,
          label: 'API 5xx %',
        }),
        threshold: API_5XX_PERCENT_THRESHOLD,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `more than ${API_5XX_PERCENT_THRESHOLD}% of SignalWire requests answered 5xx`,
      }),
    );
    add(
      new Alarm(this, 'Api5xxCount', {
        metric: props.api.metricServerError({ period: API_5XX_WINDOW, statistic: 'Sum' }),
        threshold: API_5XX_COUNT_THRESHOLD,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `${API_5XX_COUNT_THRESHOLD} or more SignalWire requests answered 5xx within ${API_5XX_WINDOW.toMinutes()} minutes, whatever the traffic`,
      }),
    );
    add(
      new Alarm(this, 'UnhandledErrors', {
        ...atLeastOne,
        // Alarms cannot evaluate SEARCH: one metric per HTTP function, summed.
        metric: new MathExpression({
          expression: props.httpServices.map((_, i) => `FILL(u${i}, 0)`).join(' + '),
          usingMetrics: Object.fromEntries(
            props.httpServices.map((service, i) => [
              `u${i}`,
              new Metric({
                namespace: METRICS_NAMESPACE,
                metricName: MetricName.UnhandledError,
                dimensionsMap: { service },
                statistic: 'Sum',
                period: PERIOD,
              }),
            ]),
          ),
          period: PERIOD,
          label: 'unhandled errors',
        }),
        alarmDescription:
          'a request failed with an unexpected error (a bug or a misconfiguration: answered 500 internal_error, see the "unhandled error" log line)',
      }),
    );
    add(
      new Alarm(this, 'TranscriptionQueueAge', {
        ...atLeastOne,
        metric: props.transcriptionQueue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
        threshold: TRANSCRIPTION_MAX_AGE.toSeconds(),
        alarmDescription: `a transcription job has waited over ${TRANSCRIPTION_MAX_AGE.toHours()} h: the transcription worker is stuck or failing (README: transcription); jobs are dropped after 4 days`,
      }),
    );
  }

  /** Where alarm notifications go: the given topic, or one of ours with the given address subscribed. */
  private alarmTopic(props: ObservabilityProps): ITopic | undefined {
    if (props.alarmTopicArn) return Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn);
    if (!props.alarmEmail) return undefined;
    const topic = new Topic(this, 'AlarmTopic', { displayName: `${props.name} alarms`, enforceSSL: true });
    topic.addSubscription(new EmailSubscription(props.alarmEmail));
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'alarm notifications carry alarm names and states, no personal data; encrypting with a KMS key would need a customer-managed key whose policy admits CloudWatch',
    });
    return topic;
  }

  private buildQueries(props: ObservabilityProps): void {
    const logGroups = props.functions.map((fn) => fn.logGroupRef);
    for (const [key, { title, parts }] of Object.entries(LOG_QUERIES)) {
      new QueryDefinition(this, `Query${key[0]?.toUpperCase()}${key.slice(1)}`, {
        queryDefinitionName: `${props.name}/${title}`,
        queryString: new QueryString(parts),
        logGroups,
      });
    }
  }
}
