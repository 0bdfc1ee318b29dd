import { type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AgentFunction, type AgentFunctionProps } from './agent-function.js';
import { reservedConcurrencyFor, type AgentFunctionName, type StackSettings } from './settings.js';
import { ARCHIVE_WORKER_MAX_CONCURRENCY } from './stage-requirements.js';
import type { Storage } from './storage.js';
import { DEFAULTS } from '#shared/config.js';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { wireTranscription } from './transcription.js';
import { secretsExtensionLayerArn } from './secrets-extension-layer.js';

export interface AgentFunctionsProps {
  settings: StackSettings;
  secret: ISecret;
  /** The agent secret without the caller-hash key (infra/stack/agent-secret.ts): the payment connector's. */
  paymentSecret: ISecret;
  /** Operator-filled SignalWire project secret (signing key, API credentials). */
  signalWireSecret: ISecret;
  storage: Storage;
  /** Public base URL the functions put into the URLs they hand to SignalWire. */
  publicUrl: string;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

type Sizing = Pick<AgentFunctionProps, 'timeout' | 'memorySize' | 'description'>;

/** The archive worker's timeout; the archive queue's visibility timeout is derived from it. */
export const ARCHIVE_WORKER_TIMEOUT = Duration.minutes(2);

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
  // One job per invocation: a download of up to 200 MB (60 s budget in audio-archive.ts), held in
  // memory, then one S3 put. 1 GB holds the largest and buys the network share to fetch it.
  'archive-worker': {
    timeout: ARCHIVE_WORKER_TIMEOUT,
    memorySize: 1024,
    description: 'audio archive: SignalWire recording → S3',
  },
  // A bounded walk per run (page budget, shared/retention/enforcer-core.ts): minutes at most.
  'retention-enforcer': {
    timeout: Duration.minutes(10),
    memorySize: 512,
    description: 'retention enforcer: deletes recordings, items and SignalWire copies past retention',
  },
  // A listing, a metadata read and one StartTranscriptionJob per message: seconds. The queue's
  // visibility timeout (15 min, storage.ts) stays well above 6x this.
  'transcription-worker': {
    timeout: Duration.minutes(1),
    memorySize: 256,
    description: 'transcription consumer: starts Amazon Transcribe jobs with PII redaction',
  },
  // One transcript read, parsed and written through the call's write gate (its lease: 60 s).
  'transcript-completion': {
    timeout: Duration.seconds(30),
    memorySize: 512,
    description: 'transcript completion: redacted transcript next to its recording, audited',
  },
};

/**
 * The six functions with exactly the access each needs:
 * swml reads nothing but the secrets; swaig reads/writes the table; recording-status writes the
 * bucket and both queues and reads/writes the table; payment-connector appends each payment's
 * outcome to its call's audit trail (the table, append only: never card data);
 * privacy reads, writes and deletes in table and bucket; the archive worker consumes the archive
 * queue and reads/writes (never deletes) in the bucket.
 *
 * The SignalWire project secret goes only where it is used: swml, recording-status and
 * payment-connector verify request signatures with its signing key; recording-status (an erased
 * call's late recording) and privacy (erasure) delete SignalWire's copy with its API
 * credentials; the archive worker downloads audio with them. swaig gets none (SWAIG requests
 * are unsigned), and the archive worker gets no agent secret (it answers no request).
 */
export class AgentFunctions extends Construct {
  readonly swml: AgentFunction;
  readonly swaig: AgentFunction;
  readonly recordingStatus: AgentFunction;
  readonly paymentConnector: AgentFunction;
  readonly privacy: AgentFunction;
  readonly archiveWorker: AgentFunction;
  readonly retentionEnforcer: AgentFunction;
  /** Invokes the retention enforcer once a day. */
  readonly retentionSchedule: Schedule;
  readonly transcriptionWorker: AgentFunction;
  readonly transcriptCompletion: AgentFunction;
  /** Transcribe's job state changes (our jobs) → the transcript completion. */
  readonly transcribeRule: Rule;

  constructor(scope: Construct, id: string, props: AgentFunctionsProps) {
    super(scope, id);
    const { settings, storage, signalWireSecret } = props;
    // Plain, non-secret settings every function parses through shared/config.ts.
    const environment = {
      SWML_PROXY_URL_BASE: props.publicUrl,
      RECORDING_MODE: settings.recordingMode,
      RECORDING_FORMAT: settings.recordingFormat,
      RECORDING_STEREO: String(settings.recordingStereo),
      RETENTION_DAYS: String(settings.retentionDays),
      // Required on non-disposable stages (stage-requirements.ts); a dev stage speaks the demo values.
      PRIVACY_CONTACT: settings.privacyContact ?? DEFAULTS.privacyContact,
      AGENT_NAME: settings.agentName ?? DEFAULTS.agentName,
      COMPANY_NAME: settings.companyName ?? DEFAULTS.companyName,
      SIGNALWIRE_COPY: settings.signalwireCopy,
      // The processor's own connector: the pay verb sends card data there and never to /payment.
      ...(settings.paymentConnectorUrl ? { PAYMENT_CONNECTOR_URL: settings.paymentConnectorUrl } : {}),
      TRANSCRIPTION: settings.transcription,
    };
    // Once for all nine: the stack's region, or the setting that overrides the vendored table.
    const layerArn = secretsExtensionLayerArn(this, settings.secretsExtensionLayerArn);
    const make = (
      constructId: string,
      name: AgentFunctionName,
      { agentSecret = true as boolean | ISecret } = {},
    ): AgentFunction =>
      new AgentFunction(this, constructId, {
        name,
        ...SIZING[name],
        ...(agentSecret === false ? {} : { secret: agentSecret === true ? props.secret : agentSecret }),
        environment,
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
        reservedConcurrency: reservedConcurrencyFor(settings, name),
        secretsExtensionLayerArn: layerArn,
      });

    this.swml = make('Swml', 'swml').useSignalWireSecret(signalWireSecret);
    this.swaig = make('Swaig', 'swaig').useTable(storage.table, 'append');
    // Every stored recording's job goes to the transcription queue and, through the same
    // ingest step, to the archive queue (shared/recordings/recording-status-core.ts; only once the SignalWire
    // secret holds API credentials: without them there is nothing the worker could download).
    this.recordingStatus = make('RecordingStatus', 'recording-status')
      .useTable(storage.table, 'append')
      .useBucket(storage.bucket, 'write')
      .useQueue(storage.queue)
      .useQueue(storage.archiveQueue, 'ARCHIVE_QUEUE_URL')
      .useSignalWireSecret(signalWireSecret);
    // The outcome of each payment (approved, declined, error) goes into its call's audit trail.
    // In PCI scope: its secret has no caller-hash key (it never hashes a caller).
    this.paymentConnector = make('PaymentConnector', 'payment-connector', { agentSecret: props.paymentSecret })
      .useTable(storage.table, 'append')
      .useSignalWireSecret(signalWireSecret);
    this.privacy = make('Privacy', 'privacy')
      .useTable(storage.table, 'erase')
      .useBucket(storage.bucket, 'read-write-delete')
      .useSignalWireSecret(signalWireSecret);
    // Reads the metadata (and whether audio is already there), writes the audio next to it.
    // At most 5 downloads at once: SignalWire's API is shared with the live calls.
    // Appends `signalwire_copy_deleted` to the call's audit trail after deleting SignalWire's copy.
    this.archiveWorker = make('ArchiveWorker', 'archive-worker', { agentSecret: false })
      .useBucket(storage.bucket, 'read-write')
      .useTable(storage.table, 'append')
      .useSignalWireSecret(signalWireSecret)
      .consumeQueue(storage.archiveQueue, { batchSize: 1, maxConcurrency: ARCHIVE_WORKER_MAX_CONCURRENCY });
    // Lists and deletes expired objects and items, reads a call's trail and appends its incidents;
    // lists and deletes SignalWire's copies. One run at a time: the cursor item is its bookmark.
    this.retentionEnforcer = make('RetentionEnforcer', 'retention-enforcer', { agentSecret: false })
      .useTable(storage.table, 'expire')
      .useBucket(storage.bucket, 'read-delete')
      .useSignalWireSecret(signalWireSecret);
    // Our own scheduler role, so its one acknowledged wildcard sits next to the grant.
    const schedulerRole = new Role(this, 'RetentionSchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: invoke the retention enforcer',
    });
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.retentionEnforcer.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: 'LambdaInvoke grants invoke on the function and its versions (ARN:*); this one function only',
    });
    this.retentionSchedule = new Schedule(this, 'RetentionSchedule', {
      schedule: ScheduleExpression.cron({ minute: '17', hour: '3' }),
      // A failed run is not retried by the scheduler: the next day's run picks up where it stopped.
      target: new LambdaInvoke(this.retentionEnforcer, { retryAttempts: 0, role: schedulerRole }),
      description: 'daily retention run (shared/retention/enforcer-core.ts)',
    });
    // Transcripts (infra/stack/transcription.ts holds their least-privilege grants and the rule).
    this.transcriptionWorker = make('TranscriptionWorker', 'transcription-worker', { agentSecret: false });
    this.transcriptCompletion = make('TranscriptCompletion', 'transcript-completion', { agentSecret: false });
    this.transcribeRule = wireTranscription(this, {
      worker: this.transcriptionWorker,
      completion: this.transcriptCompletion,
      storage,
    });
  }

  /** All nine, in a stable order (dashboards, alarms, queries iterate this). */
  get all(): AgentFunction[] {
    return [
      this.swml,
      this.swaig,
      this.recordingStatus,
      this.paymentConnector,
      this.privacy,
      this.archiveWorker,
      this.retentionEnforcer,
      this.transcriptionWorker,
      this.transcriptCompletion,
    ];
  }
}
