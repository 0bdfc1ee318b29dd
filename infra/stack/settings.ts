import { z } from 'zod';
import type { Node } from 'constructs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULTS, RECORDING_FORMATS, RECORDING_MODES, SIGNALWIRE_COPY_MODES, TRANSCRIPTION_MODES } from '#shared/config.js';
import { zodIssuesMessage } from '#shared/validation/zod-message.js';
import { SECRETS_EXTENSION_ARM64_LAYER_NAME } from './secrets-extension-layer.js';

/**
 * Deploy-time choices, read from CDK context (`cdk.json` or `-c key=value`). The CLI hands
 * `-c` values over as strings, so numbers and booleans are coerced; a bad value fails the synth
 * with a message naming the key instead of producing a half-right stack.
 */
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const positiveInt = z.coerce.number().int().positive();

export const FUNCTION_NAMES = [
  'swml',
  'swaig',
  'recording-status',
  'payment-connector',
  'privacy',
  'archive-worker',
  'retention-enforcer',
  'transcription-worker',
  'transcript-completion',
] as const;
export type AgentFunctionName = (typeof FUNCTION_NAMES)[number];

const SettingsSchema = z.object({
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,20}$/, 'lower-case letters, digits and dashes')
    .default('prod'),
  retentionDays: z.coerce.number().int().min(1).max(3650).default(DEFAULTS.retentionDays),
  recordingMode: z.enum(RECORDING_MODES).default(DEFAULTS.recordingMode),
  recordingFormat: z.enum(RECORDING_FORMATS).default(DEFAULTS.recordingFormat),
  recordingStereo: bool.default(DEFAULTS.recordingStereo),
  /**
   * What callers hear: where to ask for a copy or deletion, who is speaking, for whom. Required on
   * non-disposable stages (stage-requirements.ts); a disposable stage falls back to the demo values.
   */
  privacyContact: z.string().min(3).optional(),
  agentName: z.string().min(1).max(80).optional(),
  companyName: z.string().min(1).max(120).optional(),
  /** SignalWire's copy of a recording: deleted once archived, or kept until the retention enforcer deletes it. */
  signalwireCopy: z.enum(SIGNALWIRE_COPY_MODES).default(DEFAULTS.signalwireCopy),
  /** `redacted` (Transcribe with PII redaction, redacted output only) or `off`: TRANSCRIPTION of the consumer. */
  transcription: z.enum(TRANSCRIPTION_MODES).default(DEFAULTS.transcription),
  /** Disposable stages (dev, CI) are destroyed with their data; anything else keeps table and bucket. */
  disposable: bool.default(false),
  /** How long function and API access logs are kept, in days (must be a CloudWatch retention value). */
  logRetentionDays: z.coerce
    .number()
    .int()
    .refine((d) => Object.values(RetentionDays).includes(d), 'not a CloudWatch Logs retention value')
    .default(30),
  /** One number for every function, or per function: `{"swaig": 50}`. Unset = account pool. */
  reservedConcurrency: z.union([positiveInt, z.partialRecord(z.enum(FUNCTION_NAMES), positiveInt)]).optional(),
  /** Stage-wide HTTP API throttle; a call makes a handful of requests per minute. */
  apiRateLimit: positiveInt.default(50),
  apiBurstLimit: positiveInt.default(100),
  /** Lambda's concurrency quota of the account and region (`aws lambda get-account-settings`); reservations are checked against it. */
  accountConcurrencyLimit: positiveInt.default(1000),
  /** Existing SNS topic for alarm notifications, in the stack's region. */
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN')
    .optional(),
  /** Or: an address the stack subscribes to a topic of its own (confirm the e-mail AWS sends). */
  alarmEmail: z.email().optional(),
  /**
   * The processor's own SignalWire pay connector: the pay verb posts card data there, so it never
   * reaches AWS (keeps this account out of PCI DSS scope).
   */
  paymentConnectorUrl: z.url({ protocol: /^https$/ }).optional(),
  /**
   * The Parameters and Secrets extension's arm64 layer version for the stack's region, instead of
   * the vendored table (secrets-extension-layer.ts): AWS publishes newer versions, and the table
   * cannot be checked without AWS access. Its region must be the stack's (stage-requirements.ts).
   */
  secretsExtensionLayerArn: z
    .string()
    .regex(
      new RegExp(`^arn:aws[a-z-]*:lambda:[a-z]+(-[a-z]+)+-\\d+:\\d{12}:layer:${SECRETS_EXTENSION_ARM64_LAYER_NAME}:[1-9]\\d*$`),
      `the ARN of a layer version arn:<partition>:lambda:<region>:<account>:layer:${SECRETS_EXTENSION_ARM64_LAYER_NAME}:<version> (the arm64 layer: the functions run on arm64)`,
    )
    .optional(),
  /** Lets a non-disposable stage answer /payment with the built-in test gateway (approves any Luhn-valid card, charges nothing). */
  allowTestGateway: bool.default(false),
});

export type StackSettings = z.infer<typeof SettingsSchema>;

/** Every key the stack reads from context, so unrelated CDK context is ignored. */
const KEYS = Object.keys(SettingsSchema.shape) as (keyof StackSettings)[];

function fromJsonIfString(value: unknown): unknown {
  if (typeof value !== 'string' || !value.trim().startsWith('{')) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Reads and validates the stack's context; throws naming each bad key. */
export function readSettings(node: Node): StackSettings {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value !== undefined && value !== '') raw[key] = fromJsonIfString(value);
  }
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`invalid CDK context: ${zodIssuesMessage(parsed.error)}`);
  }
  return parsed.data;
}

/** Reserved concurrency for one function, or undefined to share the account pool. */
export function reservedConcurrencyFor(settings: StackSettings, name: AgentFunctionName): number | undefined {
  const value = settings.reservedConcurrency;
  return typeof value === 'number' ? value : value?.[name];
}
