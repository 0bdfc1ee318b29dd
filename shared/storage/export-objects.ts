import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '#shared/aws/clients.js';
import { listKeys } from '#shared/aws/s3-objects.js';
import { getConfig } from '#shared/config.js';

/**
 * Port over the bucket's `exports/` folder (layout.ts): export documents too big for a Lambda
 * response, handed to the operator through a presigned URL, deleted by erasure.
 */
export interface ExportObjects {
  /** Writes one export document (SSE-S3, JSON, no retention tag: the exports/ lifecycle rule expires it). */
  put(key: string, body: string): Promise<void>;
  /** A GET URL for the object, signed with this process's credentials, valid for `expiresInSeconds`. */
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  keysUnder(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

/** {@link ExportObjects} on the recordings bucket. */
export class S3ExportObjects implements ExportObjects {
  constructor(
    private readonly client: S3Client = s3(),
    private readonly bucket: string = getConfig().BUCKET_NAME,
  ) {}

  async put(key: string, body: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        ServerSideEncryption: 'AES256',
      }),
    );
  }

  /**
   * Signed locally (no request is made). The URL stops working at the earlier of its expiry and
   * the signing credentials' own: a Lambda role's session outlives 15 minutes.
   */
  presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }

  keysUnder(prefix: string): Promise<string[]> {
    return listKeys(this.client, this.bucket, prefix);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
