import type { RecordingStore } from './recording-store.js';
import { BUCKET_PREFIXES, heldKey, isMetadataKey, metadataKey } from '#shared/storage/layout.js';
import type { RecordingMetadata } from './metadata.js';

/** In-memory {@link RecordingStore} for unit tests: same key layout as S3, objects kept as JSON text. */
export class InMemoryRecordingStore implements RecordingStore {
  /** Object key → body, like a bucket. */
  readonly objects = new Map<string, string>();

  async put(metadata: RecordingMetadata): Promise<string> {
    const key = metadataKey(metadata.callId, metadata.recordingId);
    this.objects.set(key, JSON.stringify(metadata));
    return key;
  }

  async putAudio(key: string, body: Uint8Array): Promise<void> {
    this.objects.set(key, Buffer.from(body).toString('base64'));
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  async get(callId: string, recordingId: string): Promise<RecordingMetadata | undefined> {
    const key = metadataKey(callId, recordingId);
    const body = this.objects.get(key) ?? this.objects.get(heldKey(callId, key) as string);
    return body === undefined ? undefined : (JSON.parse(body) as RecordingMetadata);
  }

  async listForCall(callId: string): Promise<RecordingMetadata[]> {
    const prefix = `${BUCKET_PREFIXES.recordings}${callId}/`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix) && isMetadataKey(k))
      .map(([, v]) => JSON.parse(v) as RecordingMetadata);
  }

  async deleteForCall(callId: string): Promise<number> {
    const prefix = `${BUCKET_PREFIXES.recordings}${callId}/`;
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix));
    for (const k of keys) this.objects.delete(k);
    return keys.length;
  }
}
