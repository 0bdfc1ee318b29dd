import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface AgentApiProps {
  /** The API's name: the stack's, so each stage and region reads apart in the console. */
  name: string;
  rateLimit: number;
  burstLimit: number;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

/**
 * Access-log line: one JSON object per request. Deliberately without headers, query strings or
 * bodies: the Authorization header carries the basic-auth password, `__token` is a credential,
 * and bodies hold caller data.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    latencyMs: '$context.responseLatency',
    responseLength: '$context.responseLength',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
  }),
);

/**
 * The HTTP API SignalWire talks to. Created before the functions so they can be told its URL
 * (SWML_PROXY_URL_BASE) without a dependency cycle: the Api resource references no function,
 * only the routes added later by {@link route} do.
 */
export class AgentApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: AgentApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: props.name,
      description: 'recording-agent: SignalWire-facing routes (basic auth checked in the functions)',
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      // Under /aws/vendedlogs/ API Gateway needs no entry in the account's CloudWatch Logs resource
      // policy (5,120 characters for every group outside it; stage creation fails once it is full).
      // The API id makes the name unique per API, so a retained group never blocks a new stack.
      logGroupName: `/aws/vendedlogs/apigateway/${props.name}/${this.api.apiId}/access`,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'SignalWire can only send basic auth embedded in the URLs we emit; HTTP APIs have no basic-auth authorizer, so every function checks it (constant time) before reading the body',
    });
  }

  /** Base URL (no trailing slash) of the `$default` stage. */
  get url(): string {
    return this.api.apiEndpoint;
  }

  /** Routes `methods path` to a function (payload format 2.0, the shape shared/http expects). */
  route(path: string, methods: HttpMethod[], fn: IFunction): void {
    const name = path.replace(/[^A-Za-z0-9]/g, '');
    this.api.addRoutes({ path, methods, integration: new HttpLambdaIntegration(`${name}Integration`, fn) });
  }
}
