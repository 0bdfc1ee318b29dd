import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';

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

/** An object's JSON body, or undefined when the object (or its body) is not there. */
export async function readJsonObject(client: S3Client, bucket: string, key: string): Promise<unknown> {
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = await got.Body?.transformToString();
    return body ? (JSON.parse(body) as unknown) : undefined;
  } catch (error) {
    if (isNoSuchKey(error)) return undefined;
    throw error;
  }
}
