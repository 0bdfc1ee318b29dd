import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AgentFunction, type AgentFunctionProps } from './agent-function.js';
import { reservedConcurrencyFor, type AgentFunctionName, type StackSettings } from './settings.js';
import type { Storage } from './storage.js';

export interface AgentFunctionsProps {
  settings: StackSettings;
  secret: ISecret;
  storage: Storage;
  /** Public base URL the functions put into the URLs they hand to SignalWire. */
  publicUrl: string;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

type Sizing = Pick<AgentFunctionProps, 'timeout' | 'memorySize' | 'description'>;

/**
 * Timeouts and memory, per function, and why. arm64 everywhere (cheaper per ms, no x86-only
 * dependencies). Memory also buys CPU, which is what a cold start spends.
 */
const SIZING: Record<AgentFunctionName, Sizing> = {
  // SignalWire fetches SWML as the call is answered: pure CPU work, but a cold start (secret
  // load included) must finish well inside SignalWire's patience; 512 MB halves init vs 128.
  swml: { timeout: Duration.seconds(10), memorySize: 512, description: 'SWML document for a call' },
  // SignalWire waits only a few seconds for a tool result; 10 s covers a cold start plus one
  // DynamoDB retry, and anything slower is useless to the conversation anyway.
  swaig: { timeout: Duration.seconds(10), memorySize: 512, description: 'SWAIG tool calls (consent, recording control, pay)' },
  // Webhook: S3 + DynamoDB + SQS writes; SignalWire retries on 5xx, so a bounded timeout is fine.
  'recording-status': { timeout: Duration.seconds(15), memorySize: 512, description: 'record_call status_url webhook' },
  // A real gateway may take several seconds to authorise a charge; the pay verb waits for us.
  'payment-connector': { timeout: Duration.seconds(20), memorySize: 512, description: 'pay verb payment connector' },
  // Operator jobs (erase/export/hold) walk every item and object of a caller: minutes, not seconds.
  privacy: { timeout: Duration.minutes(5), memorySize: 1024, description: 'operator privacy jobs: erase, export, legal hold' },
};

/**
 * The five functions with exactly the access each needs:
 * swml reads nothing but the secret; swaig reads/writes the table; recording-status writes the
 * bucket and the queue and reads/writes the table; payment-connector touches no storage;
 * privacy reads, writes and deletes in table and bucket.
 */
export class AgentFunctions extends Construct {
  readonly swml: AgentFunction;
  readonly swaig: AgentFunction;
  readonly recordingStatus: AgentFunction;
  readonly paymentConnector: AgentFunction;
  readonly privacy: AgentFunction;

  constructor(scope: Construct, id: string, props: AgentFunctionsProps) {
    super(scope, id);
    const { settings, storage } = props;
    // Plain, non-secret settings every function parses through shared/config.ts.
    const environment = {
      SWML_PROXY_URL_BASE: props.publicUrl,
      RECORDING_MODE: settings.recordingMode,
      RECORDING_FORMAT: settings.recordingFormat,
      RECORDING_STEREO: String(settings.recordingStereo),
      RETENTION_DAYS: String(settings.retentionDays),
      PRIVACY_CONTACT: settings.privacyContact,
    };
    const make = (constructId: string, name: AgentFunctionName): AgentFunction =>
      new AgentFunction(this, constructId, {
        name,
        ...SIZING[name],
        secret: props.secret,
        environment,
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
        reservedConcurrency: reservedConcurrencyFor(settings, name),
      });

    this.swml = make('Swml', 'swml');
    this.swaig = make('Swaig', 'swaig').useTable(storage.table, 'read-write');
    this.recordingStatus = make('RecordingStatus', 'recording-status')
      .useTable(storage.table, 'read-write')
      .useBucket(storage.bucket, 'write')
      .useQueue(storage.queue);
    this.paymentConnector = make('PaymentConnector', 'payment-connector');
    this.privacy = make('Privacy', 'privacy')
      .useTable(storage.table, 'read-write')
      .useBucket(storage.bucket, 'read-write-delete');
  }

  /** All five, in a stable order (dashboards, alarms, queries iterate this). */
  get all(): AgentFunction[] {
    return [this.swml, this.swaig, this.recordingStatus, this.paymentConnector, this.privacy];
  }
}
