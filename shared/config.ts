import * as z from '#shared/validation/zod.js';
import { zodIssuesMessage } from '#shared/validation/zod-message.js';
import { onInstanceReset } from '#shared/instance.js';

/**
 * The one place the environment becomes typed configuration.
 *
 * Parsed once per cold start (see {@link getConfig}); a bad value throws there, so a
 * misconfigured function fails loudly at init instead of misbehaving on a live call.
 */
const bool = () =>
  z.pipe(
    z.enum(['true', 'false', '1', '0', 'yes', 'no']),
    z.transform((v) => v === 'true' || v === '1' || v === 'yes'),
  );

const url = () =>
  z.pipe(
    z.string().check(z.url()),
    z.transform((u) => u.replace(/\/+$/, '')),
  );

/** A string of at least `min` characters. */
const text = (min: number) => z.string().check(z.minLength(min));
/**
 * An integer from the environment (a string there) within [min, max]. `Number()` then a number
 * check is what `z.coerce.number()` does; spelled out because `z.coerce` is a namespace that
 * drags every coercible type (bigint, date, boolean) into the bundle.
 */
const integer = (min: number, max: number) =>
  z.pipe(
    z.transform((v: string) => Number(v)),
    z.number().check(z.int(), z.gte(min), z.lte(max)),
  );

/**
 * One environment variable: the schema that validates it when it is set, built only then (a
 * function sets a handful of the variables below; building and running the schemas of all of
 * them cost its first request milliseconds, see npm run bench), and its value when unset.
 */
interface Setting<S extends z.ZodMiniType, F> {
  readonly schema: () => S;
  readonly fallback: F;
}
const optional = <S extends z.ZodMiniType>(schema: () => S): Setting<S, undefined> => ({ schema, fallback: undefined });
const withDefault = <S extends z.ZodMiniType>(schema: () => S, fallback: z.output<S>): Setting<S, z.output<S>> => ({
  schema,
  fallback,
});

/**
 * The agent's defaults and choices, the one list: the environment schema below, the CDK stack's
 * context (infra/stack/settings.ts) and the local stack all take them from here.
 */
export const RECORDING_MODES = ['consent-first', 'disclose-and-record'] as const;
export const RECORDING_FORMATS = ['mp3', 'wav'] as const;
/**
 * What happens to SignalWire's own copy of a recording (it keeps recordings until someone deletes
 * them, docs/protocol.md §6): `delete-after-archive` deletes it as soon as our copy of the audio is
 * in the bucket; `keep-until-retention` leaves it until the retention enforcer deletes it with
 * ours, once past retention.
 */
export const SIGNALWIRE_COPY_MODES = ['delete-after-archive', 'keep-until-retention'] as const;
/**
 * Transcripts of stored recordings (shared/recordings/transcription-*): `redacted` runs Amazon
 * Transcribe with PII redaction and keeps only the redacted transcript; `off` takes none (jobs on
 * the transcription queue are acknowledged and dropped). There is deliberately no unredacted mode.
 */
export const TRANSCRIPTION_MODES = ['off', 'redacted'] as const;
export const DEFAULTS = {
  recordingMode: 'consent-first',
  transcription: 'redacted',
  /**
   * The language the agent speaks (the SWML `ai.languages` entry) and Transcribe listens for:
   * one setting, so a transcript is never taken in another language than the call.
   */
  language: { name: 'English', code: 'en-US', voice: 'rime.spore' },
  recordingFormat: 'mp3',
  recordingStereo: true,
  recordingBeep: false,
  retentionDays: 90,
  signalwireCopy: 'delete-after-archive',
  privacyContact: 'privacy@example.com',
  agentName: 'Recording Assistant',
  companyName: 'our company',
  tableName: 'recording-agent',
  bucketName: 'recording-agent',
  /** SignalWire's own hosts: recordings are served from the project's space, `<space>.signalwire.com`. */
  recordingHosts: ['.signalwire.com'],
} as const satisfies {
  recordingMode: (typeof RECORDING_MODES)[number];
  transcription: (typeof TRANSCRIPTION_MODES)[number];
  recordingFormat: (typeof RECORDING_FORMATS)[number];
  signalwireCopy: (typeof SIGNALWIRE_COPY_MODES)[number];
  [key: string]: unknown;
};

const SETTINGS = {
  SWML_BASIC_AUTH_USER: withDefault(() => text(1), 'signalwire'),
  SWML_BASIC_AUTH_PASSWORD: optional(() => text(8)),
  /** Secrets Manager secret holding {username,password,tokenSecret,callerHashSecret} (cloud). */
  AGENT_SECRET_ARN: optional(() => text(1)),
  SWML_PROXY_URL_BASE: optional(url),

  RECORDING_MODE: withDefault(() => z.enum(RECORDING_MODES), DEFAULTS.recordingMode),
  RECORDING_FORMAT: withDefault(() => z.enum(RECORDING_FORMATS), DEFAULTS.recordingFormat),
  RECORDING_STEREO: withDefault(() => bool(), DEFAULTS.recordingStereo),
  RECORDING_BEEP: withDefault(() => bool(), DEFAULTS.recordingBeep),
  RETENTION_DAYS: withDefault(() => integer(1, 3650), DEFAULTS.retentionDays),
  PRIVACY_CONTACT: withDefault(() => text(3), DEFAULTS.privacyContact),
  AGENT_NAME: withDefault(() => text(1), DEFAULTS.agentName),
  COMPANY_NAME: withDefault(() => text(1), DEFAULTS.companyName),

  TABLE_NAME: withDefault(() => text(3), DEFAULTS.tableName),
  BUCKET_NAME: withDefault(() => text(3), DEFAULTS.bucketName),
  QUEUE_URL: optional(() => text(1)),
  S3_FORCE_PATH_STYLE: withDefault(() => bool(), false),

  /** HMAC secret for per-call secure-tool tokens; all instances must share it. */
  TOKEN_SECRET: optional(() => text(16)),
  SECURE_TOKEN_TTL_SECONDS: withDefault(() => integer(60, 86_400), 3600),
  /** Key for the keyed hash that stands in for a caller's number everywhere we store it. */
  CALLER_HASH_SECRET: optional(() => text(16)),

  SIGNALWIRE_SIGNING_KEY: optional(() => text(1)),
  SIGNALWIRE_PROJECT_ID: optional(() => text(1)),
  SIGNALWIRE_API_TOKEN: optional(() => text(1)),
  SIGNALWIRE_SPACE_URL: optional(url),
  SIGNALWIRE_COPY: withDefault(() => z.enum(SIGNALWIRE_COPY_MODES), DEFAULTS.signalwireCopy),

  /**
   * Hosts recording URLs may be on (comma-separated; a leading dot allows subdomains). Callbacks
   * naming any other host are refused, so nothing else is stored or later fetched.
   */
  RECORDING_HOSTS: withDefault(
    () =>
      z.pipe(
        z.string().check(z.regex(/^\.?[a-z0-9.-]+(,\.?[a-z0-9.-]+)*$/i)),
        z.transform((v) => v.split(',')),
      ),
    [...DEFAULTS.recordingHosts],
  ),
  /** A processor's own pay connector; when set our /payment route is not used (keeps us out of PCI scope). */
  PAYMENT_CONNECTOR_URL: optional(url),
  MAX_BODY_BYTES: withDefault(() => integer(1024, 6_000_000), 256 * 1024),
  /**
   * Largest privacy export answered inline (bytes of the JSON response body); a bigger one goes
   * to the bucket's exports/ and is answered with its key and a presigned URL. Lambda fails a
   * synchronous response over 6 MB (6,291,456 bytes): the default keeps a 1 MB margin.
   */
  EXPORT_INLINE_MAX_BYTES: withDefault(() => integer(256, 6_000_000), 5 * 1024 * 1024),
  /** Which PaymentGateway serves our /payment route; a real processor adapter adds its name here. */
  PAYMENT_GATEWAY: withDefault(() => z.enum(['test']), 'test'),
  /**
   * Secrets Manager secret with the SignalWire project settings `{projectId, apiToken,
   * signingKey, spaceUrl}` (cloud); its non-empty values override the SIGNALWIRE_* variables
   * (see loadSignalWireProject in shared/aws/secrets.ts).
   */
  SIGNALWIRE_SECRET_ARN: optional(() => text(1)),
  /** SQS queue for audio-archive jobs; recording-status enqueues one per stored recording when set. */
  ARCHIVE_QUEUE_URL: optional(() => text(1)),
  /** `off` or `redacted` (see {@link TRANSCRIPTION_MODES}); read by the transcription consumer. */
  TRANSCRIPTION: withDefault(() => z.enum(TRANSCRIPTION_MODES), DEFAULTS.transcription),
} as const;

type Settings = typeof SETTINGS;
type Value<K extends keyof Settings> = z.output<ReturnType<Settings[K]['schema']>>;
type OptionalKey = { [K in keyof Settings]: Settings[K]['fallback'] extends undefined ? K : never }[keyof Settings];
type Flat<T> = { [K in keyof T]: T[K] };
/** What the environment says, typed: a value for every variable with a default, the rest optional. */
export type Config = Flat<
  { [K in Exclude<keyof Settings, OptionalKey>]: Value<K> } & { [K in OptionalKey]?: Value<K> | undefined }
>;
export type RecordingMode = Config['RECORDING_MODE'];
export type SignalWireCopyMode = Config['SIGNALWIRE_COPY'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parse an environment map; throws {@link ConfigError} naming every bad variable (values are
 * never echoed). Every variable that is set (non-empty) is validated, in one zod object schema
 * built of their schemas alone; an unset one takes its default without any schema being built.
 */
export function parseConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const keys = Object.keys(SETTINGS) as (keyof Settings)[];
  const shape: Partial<Record<keyof Settings, z.ZodMiniType>> = {};
  const present: Partial<Record<keyof Settings, string>> = {};
  for (const key of keys) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    present[key] = value;
    shape[key] = SETTINGS[key].schema();
  }
  const result = z.object(shape).safeParse(present);
  if (!result.success) {
    throw new ConfigError(`invalid configuration: ${zodIssuesMessage(result.error)}`);
  }
  const parsed = result.data as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const key of keys) {
    const value = key in parsed ? parsed[key] : SETTINGS[key].fallback;
    if (value !== undefined) config[key] = value;
  }
  return config as Config;
}

let cached: Config | undefined;

/** Configuration of this process, parsed on first use and then reused for the life of the instance. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

onInstanceReset(() => {
  cached = undefined;
});
