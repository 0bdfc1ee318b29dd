import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsJobQueue } from '#shared/recordings/sqs-job-queue.js';

// No SQS emulator exists here, so SqsJobQueue talks through the real SDK to a local
// HTTP stand-in that speaks just enough of SQS's JSON protocol (SendMessage) to record requests.

let server: Server;
let client: SQSClient;
const received: Array<{ target: string; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      received.push({ target: String(req.headers['x-amz-target']), body });
      const md5 = createHash('md5').update(String(body.MessageBody)).digest('hex');
      res
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
});
afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const job = {
  callId: '6e1d2c3b-4a59-4d6e-8f70-8192a3b4c5d6',
  recordingId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  metadataKey: 'recordings/c/r.json',
};

describe('SqsJobQueue (SQS JSON protocol against a local stand-in)', () => {
  it('sends one SendMessage with the job as JSON body to the configured queue', async () => {
    received.length = 0;
    await new SqsJobQueue('https://sqs.us-east-1.amazonaws.com/123/transcription', client).enqueue(job);
    expect(received).toHaveLength(1);
    expect(received[0]?.target).toBe('AmazonSQS.SendMessage');
    expect(received[0]?.body.QueueUrl).toBe('https://sqs.us-east-1.amazonaws.com/123/transcription');
    expect(JSON.parse(String(received[0]?.body.MessageBody))).toEqual(job);
    expect(received[0]?.body).not.toHaveProperty('MessageDeduplicationId');
  });

  it('on a FIFO queue, groups by call and deduplicates by recording (a resend is absorbed by SQS)', async () => {
    received.length = 0;
    const queue = new SqsJobQueue('https://sqs.us-east-1.amazonaws.com/123/transcription.fifo', client);
    await queue.enqueue(job);
    await queue.enqueue(job);
    const [a, b] = received.map((r) => r.body);
    expect(a?.MessageGroupId).toBe(job.callId);
    expect(a?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.MessageDeduplicationId).toBe(a?.MessageDeduplicationId);
  });
});
