import { describe, expect, it } from 'vitest';
import { envOf, functionId, resourcesOf, type Statement, statementsOf, synthStack } from './infra-support.js';

const actions = (statements: Statement[]): string[] => statements.flatMap((s) => [s.Action].flat());
/** The object key patterns (after the bucket ARN) a statement's resources name. */
const keyPatterns = (statement: Statement | undefined): string[] =>
  [JSON.stringify(statement?.Resource ?? '')].flatMap((text) => [...text.matchAll(/\/([a-z-]+\/\*)/g)].map((m) => m[1] ?? ''));

describe('transcription in the stack', () => {
  const { template } = synthStack();
  const workerId = functionId(template, 'transcription-worker');
  const completionId = functionId(template, 'transcript-completion');

  it('subscribes the worker to the transcription queue with partial batch responses', () => {
    const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'));
    const mapping = mappings.find((m) => JSON.stringify(m.Properties?.FunctionName).includes(workerId));
    expect(mapping?.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(JSON.stringify(mapping?.Properties?.EventSourceArn)).toContain('StorageTranscriptionQueue');
  });

  it("sends our Transcribe jobs' COMPLETED/FAILED state changes to the completion", () => {
    const rules = Object.values(resourcesOf(template, 'AWS::Events::Rule')).filter((r) =>
      JSON.stringify(r.Properties?.EventPattern).includes('aws.transcribe'),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties?.EventPattern).toEqual({
      source: ['aws.transcribe'],
      'detail-type': ['Transcribe Job State Change'],
      detail: {
        TranscriptionJobStatus: ['COMPLETED', 'FAILED'],
        TranscriptionJobName: [{ prefix: 'recording-agent-' }],
      },
    });
    expect(JSON.stringify(rules[0]?.Properties?.Targets)).toContain(completionId);
  });

  it('lets the worker start our jobs, read recordings and write only Transcribe output', () => {
    const statements = statementsOf(template, 'transcription-worker');
    expect(actions(statements).filter((a) => a.startsWith('transcribe:'))).toEqual(['transcribe:StartTranscriptionJob']);
    const start = statements.find((s) => s.Action === 'transcribe:StartTranscriptionJob');
    expect(JSON.stringify(start?.Resource)).toContain(':transcription-job/recording-agent-*');
    expect(keyPatterns(statements.find((s) => s.Action === 's3:GetObject'))).toEqual(['recordings/*', 'legal-hold/*']);
    expect(keyPatterns(statements.find((s) => s.Action === 's3:PutObject'))).toEqual(['transcribe-output/*']);
    expect(actions(statements).filter((a) => /^s3:(Delete|\*)|^dynamodb:/.test(a))).toEqual([]);
    expect(envOf(resourcesOf(template, 'AWS::Lambda::Function')[workerId]!)).toMatchObject({ TRANSCRIPTION: 'redacted' });
  });

  it('lets the completion read jobs, move output into recordings/ or legal-hold/, append audit events, never delete a transcript', () => {
    const statements = statementsOf(template, 'transcript-completion');
    expect(actions(statements).filter((a) => a.startsWith('transcribe:'))).toEqual(['transcribe:GetTranscriptionJob']);
    expect(keyPatterns(statements.find((s) => s.Action === 's3:DeleteObject'))).toEqual(['transcribe-output/*']);
    const put = statements.find((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(keyPatterns(put)).toEqual(['recordings/*', 'legal-hold/*']);
    expect(actions(statements)).not.toContain('dynamodb:DeleteItem');
    expect(actions(statements)).toContain('dynamodb:UpdateItem');
    const env = envOf(resourcesOf(template, 'AWS::Lambda::Function')[completionId]!);
    expect(env.AGENT_SECRET_ARN).toBeUndefined();
    expect(env.SIGNALWIRE_SECRET_ARN).toBeUndefined();
  });

  it('expires Transcribe output after a day and alarms on failed transcripts and on both functions', () => {
    const bucket = Object.values(resourcesOf(template, 'AWS::S3::Bucket')).find((b) =>
      (JSON.stringify(b.Properties?.LifecycleConfiguration) ?? '').includes('expire-transcribe-output'),
    );
    const rules = (bucket?.Properties?.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
    expect(rules.find((r) => r.Id === 'expire-transcribe-output')).toMatchObject({
      Prefix: 'transcribe-output/',
      ExpirationInDays: 1,
    });
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    const failed = alarms.find((a) => a.Properties?.MetricName === 'TranscriptFailed');
    expect(failed?.Properties?.Dimensions).toEqual([{ Name: 'service', Value: 'transcript-completion' }]);
    const dlq = alarms.filter((a) => (JSON.stringify(a.Properties?.Dimensions) ?? '').includes('StorageTranscriptionDlq'));
    expect(dlq).toHaveLength(1);
    for (const id of [workerId, completionId]) {
      const errors = alarms.filter(
        (a) => a.Properties?.MetricName === 'Errors' && (JSON.stringify(a.Properties?.Dimensions) ?? '').includes(id),
      );
      expect(errors, id).toHaveLength(1);
    }
  });

  it('passes TRANSCRIPTION=off from context', () => {
    const off = synthStack({ transcription: 'off' }).template;
    const fn = resourcesOf(off, 'AWS::Lambda::Function')[functionId(off, 'transcription-worker')]!;
    expect(envOf(fn).TRANSCRIPTION).toBe('off');
  });
});
