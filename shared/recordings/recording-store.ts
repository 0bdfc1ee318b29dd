import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3 } from '#shared/aws/clients.js';
import { isNoSuchKey, listKeys, readJsonObject } from '#shared/aws/s3-objects.js';
import { getConfig } from '#shared/config.js';
import { BUCKET_PREFIXES, heldKey, isMetadataKey, metadataKey, RETENTION_TAG } from '#shared/storage/layout.js';
import type { RecordingMetadata } from './metadata.js';

/** Port for recording metadata; {@link S3RecordingStore} in production, an in-memory double in unit tests. */
export interface RecordingStore {
  /** Idempotent: writing the same document twice leaves one object. Returns the object key. */
  put(metadata: RecordingMetadata): Promise<string>;
  /** The recording's metadata wherever it is: under recordings/, or under legal-hold/ while its call is held. */
  get(callId: string, recordingId: string): Promise<RecordingMetadata | undefined>;
  listForCall(callId: string): Promise<RecordingMetadata[]>;
  /** Deletes every object under the call's prefix (metadata and archived audio); returns how many. */
  deleteForCall(callId: string): Promise<number>;
  /** Archive audio next to its metadata; `retention: false` for a held call's (no lifecycle tag). */
  putAudio(key: string, body: Uint8Array, contentType: string, options?: { retention: boolean }): Promise<void>;
  /** Whether an object exists (e.g. audio already archived). */
  exists(key: string): Promise<boolean>;
}

const callPrefix = (callId: string): string => `${BUCKET_PREFIXES.recordings}${callId}/`;

/**
 * Recording metadata as encrypted JSON objects in S3. Tagging is a separate PutObjectTagging
 * call rather than PutObject's Tagging header because s3rver (the local emulator) silently
 * drops the header; both steps are idempotent, so a retry after a failure between them heals.
 */
export class S3RecordingStore implements RecordingStore {
  constructor(
    private readonly client: S3Client = s3(),
    private readonly bucket: string = getConfig().BUCKET_NAME,
  ) {}

  async put(metadata: RecordingMetadata): Promise<string> {
    const key = metadataKey(metadata.callId, metadata.recordingId);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(metadata, null, 2),
        ContentType: 'application/json',
        ServerSideEncryption: 'AES256',
      }),
    );
    await this.tag(key);
    return key;
  }

  async putAudio(key: string, body: Uint8Array, contentType: string, options = { retention: true }): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ServerSideEncryption: 'AES256',
      }),
    );
    if (options.retention) await this.tag(key);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNoSuchKey(error) || (error instanceof Error && error.name === 'NotFound')) return false;
      throw error;
    }
  }

  async get(callId: string, recordingId: string): Promise<RecordingMetadata | undefined> {
    const key = metadataKey(callId, recordingId);
    return (await this.read(key)) ?? (await this.read(heldKey(callId, key) as string));
  }

  async listForCall(callId: string): Promise<RecordingMetadata[]> {
    const keys = (await listKeys(this.client, this.bucket, callPrefix(callId))).filter(isMetadataKey);
    const docs = await Promise.all(keys.map((k) => this.read(k)));
    return docs.filter((d): d is RecordingMetadata => d !== undefined);
  }

  async deleteForCall(callId: string): Promise<number> {
    const keys = await listKeys(this.client, this.bucket, callPrefix(callId));
    // One by one: DeleteObjects needs checksums some emulators mishandle, and a call has few objects.
    for (const key of keys) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    return keys.length;
  }

  private async tag(key: string): Promise<void> {
    await this.client.send(
      new PutObjectTaggingCommand({ Bucket: this.bucket, Key: key, Tagging: { TagSet: [{ ...RETENTION_TAG }] } }),
    );
  }

  private async read(key: string): Promise<RecordingMetadata | undefined> {
    return (await readJsonObject(this.client, this.bucket, key)) as RecordingMetadata | undefined;
  }
}
