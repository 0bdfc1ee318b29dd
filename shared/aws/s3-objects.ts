import { ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';

/** A missing object, whichever way the SDK (or an emulator) reports it. */
export function isNoSuchKey(error: unknown): boolean {
  return error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey');
}

/** Every key under a prefix, following continuation tokens (a call can exceed one page). */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}
