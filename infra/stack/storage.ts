import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUCKET_PREFIXES, EXPORT_EXPIRY_DAYS, TABLE, TRANSCRIBE_OUTPUT_EXPIRY_DAYS } from '#shared/storage/layout.js';

/** How long S3 server access logs are kept: long enough to audit a year of access. */
const ACCESS_LOG_DAYS = 365;

export interface StorageProps {
  retentionDays: number;
  /** Disposable stages destroy table and bucket (with their objects) on `cdk destroy`. */
  disposable: boolean;
  /** Visibility timeout of the archive queue, derived from the archive worker's timeout. */
  archiveVisibilityTimeout: Duration;
}

/**
 * Everything the agent stores: the consent/audit table, the recordings bucket with its
 * retention lifecycle (and its access-log bucket), the transcription queue and the audio-archive
 * queue, each with a DLQ.
 * Table and bucket are RETAINed unless the stage is disposable: a `cdk destroy` must not erase
 * consent evidence or recordings under legal hold.
 */
export class Storage extends Construct {
  readonly table: Table;
  readonly bucket: Bucket;
  readonly accessLogBucket: Bucket;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Audio-archive jobs (the same message as a transcription job), consumed by the archive worker. */
  readonly archiveQueue: Queue;
  readonly archiveDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = props.disposable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // Shape from shared/aws/table.ts, the same source the local emulators are created from.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: TABLE.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: !props.disposable,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.callerIndex.name,
      partitionKey: { name: TABLE.callerIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.callerIndex.sortKey, type: AttributeType.STRING },
      // The caller query (erase/export by caller) reads the call keys only: no copy of every attribute.
      projectionType: ProjectionType.KEYS_ONLY,
    });
    // The operator console's lists (calls, incidents, recordings by day; held calls): a Query per
    // day instead of a Scan. Sparse: only the consent item, incident events, the erasure
    // tombstone, recording ledger items and hold markers carry its keys (shared/storage/day-index.ts).
    // ALL projection, so a page is one Query without a GetItem per row: those items are small
    // (< 1 KB), so on-demand it costs about one extra write request unit per indexed write (~5 per
    // call: $0.0000063 at $1.25 per million in us-east-1, i.e. ~$0.006 per 1,000 calls) and
    // their size again in storage (~1 KB per call: $0.25 per GB-month, negligible).
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.dayIndex.name,
      partitionKey: { name: TABLE.dayIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.dayIndex.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(ACCESS_LOG_DAYS) }],
      removalPolicy,
      autoDeleteObjects: props.disposable,
    });

    const retention = Duration.days(props.retentionDays);
    this.bucket = new Bucket(this, 'Recordings', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioning stays off: a noncurrent version would outlive an erasure request.
      versioned: false,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'recordings-bucket/',
      lifecycleRules: [
        // The backstop only: lifecycle counts from an object's creation, which a legal-hold release
        // restarts; the retention enforcer counts from the recording and deletes on time.
        // Metadata and archived audio both live under recordings/ (shared/storage/layout.ts).
        { id: 'expire-recordings', prefix: BUCKET_PREFIXES.recordings, expiration: retention },
        // Nothing writes archive/: a guard so anything put there still expires (layout.ts says why).
        { id: 'expire-archive-prefix', prefix: BUCKET_PREFIXES.archive, expiration: retention },
        // Big exports (personal data, fetched once through a 15-minute URL) must not outlive
        // their use; the retention period is not theirs. Untagged, so only this rule applies.
        { id: 'expire-exports', prefix: BUCKET_PREFIXES.exports, expiration: Duration.days(EXPORT_EXPIRY_DAYS) },
        // Transcribe's raw output waits here only until the completion moves it (shared/recordings/
        // transcript-completion-core.ts); whatever a failed move left behind goes within a day or two.
        {
          id: 'expire-transcribe-output',
          prefix: BUCKET_PREFIXES.transcribeOutput,
          expiration: Duration.days(TRANSCRIBE_OUTPUT_EXPIRY_DAYS),
        },
        // No rule for legal-hold/: held objects stay until the hold is lifted.
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
      autoDeleteObjects: props.disposable,
    });

    this.deadLetterQueue = new Queue(this, 'TranscriptionDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'TranscriptionQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Transcribing a long call takes minutes; a worker must not see a job twice meanwhile.
      visibilityTimeout: Duration.minutes(15),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });

    this.archiveDeadLetterQueue = new Queue(this, 'ArchiveDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.archiveQueue = new Queue(this, 'ArchiveQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for a Lambda event source: at least 6x the function's timeout, so a
      // batch being retried by Lambda is not handed to another instance meanwhile.
      visibilityTimeout: props.archiveVisibilityTimeout,
      retentionPeriod: Duration.days(4),
      // SignalWire keeps its copy until we delete it, so a job that failed 5 times loses
      // nothing: it waits in the DLQ (alarmed) to be redriven once the cause is fixed.
      deadLetterQueue: { queue: this.archiveDeadLetterQueue, maxReceiveCount: 5 },
    });
  }
}
