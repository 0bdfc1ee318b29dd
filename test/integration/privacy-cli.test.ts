import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError, type CliCommand, type CliContext } from '#infra/local/cli/command.js';
import { COMMANDS } from '#infra/local/cli/commands/index.js';
import { auditCommand, eraseCommand, exportCommand, holdCommand } from '#infra/local/cli/commands/privacy.js';
import { openSession, type AgentSession } from '#infra/local/cli/session.js';
import { startLocalStack, type LocalStack } from '#infra/local/stack.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import type { ExportDocument } from '#shared/privacy/types.js';
import { seedCall } from '#test/support/privacy-seed.js';
import { startAwsStandIn, type AwsStandIn } from '#test/support/aws-stand-in.js';
import { TEST_SECRETS } from '#test/support/storage.js';

const CALLER = '+14155550123';

/** Runs a command in-process the way infra/local/cli.ts does, on the stack in LOCAL_DATA_DIR. */
async function runCli(command: CliCommand, argv: string[], dataDir: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  let session: AgentSession | undefined;
  const context: CliContext = {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    session: async () => (session ??= await openSession({ LOCAL_DATA_DIR: dataDir })),
  };
  try {
    const code = await command.run(parseArgs(argv, command.flags), context);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    await session?.close();
  }
}

describe('privacy CLI commands on the local stack', () => {
  let dataDir: string;
  let stack: LocalStack;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'privacy-cli-'));
    // The stack takes this key instead of generating one, so seeded caller hashes match.
    process.env.CALLER_HASH_SECRET = TEST_SECRETS.CALLER_HASH_SECRET;
    stack = await startLocalStack({ dataDir, port: 0 });
  });
  afterAll(async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are registered in the command table', () => {
    expect(COMMANDS.map((c) => c.name)).toEqual(expect.arrayContaining(['audit', 'erase', 'export', 'hold']));
  });

  it('audit <call_id> prints the timeline: time, event type, detail, oldest first', async () => {
    const { callId, recordings } = await seedCall(CALLER, 1);
    // The local stack transcribes the stored recording in the background: wait for its event, so
    // the timeline is complete (whether it landed before the command was a race).
    const consent = new DynamoConsentStore();
    await vi.waitFor(async () => expect((await consent.listEvents(callId)).map((e) => e.type)).toContain('transcript_stored'), {
      timeout: 10_000,
      interval: 50,
    });

    const { code, out } = await runCli(auditCommand, [callId], dataDir);

    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines, out).toHaveLength(4);
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z {2}disclosure_given$/);
    expect(lines[1]).toMatch(/^\S+Z {2}consent_granted +category=affirmative:yes$/);
    expect(lines[2]).toMatch(new RegExp(`^\\S+Z {2}recording_stored +recordingId=${recordings[0]} consent=granted`));
    expect(lines[3]).toMatch(new RegExp(`^\\S+Z {2}transcript_stored +recordingId=${recordings[0]} segments=\\d+ held=false$`));
    const times = lines.map((l) => l.split(' ')[0] as string);
    expect([...times].sort()).toEqual(times);
  });

  it('the real bin prints the timeline on stdout (logs on stderr), found through endpoints.json', async () => {
    const { callId } = await seedCall(CALLER, 0);

    const { stdout, code } = await new Promise<{ stdout: string; code: number }>((resolve) => {
      execFile(
        process.execPath,
        [join(process.cwd(), 'bin', 'recording-agent.mjs'), 'audit', callId],
        { env: { ...process.env, LOCAL_DATA_DIR: dataDir }, timeout: 60_000 },
        (error, out) => resolve({ stdout: out, code: error ? Number(error.code ?? 1) : 0 }),
      );
    });

    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/ +/)[1]),
    ).toEqual(['disclosure_given', 'consent_granted']);
  });

  it('audit --json prints the events as JSON; an unknown call says there are none', async () => {
    const { callId } = await seedCall(CALLER, 0);

    const json = await runCli(auditCommand, [callId, '--json'], dataDir);
    const none = await runCli(auditCommand, ['never-seen'], dataDir);

    expect((JSON.parse(json.out) as Array<{ type: string }>).map((e) => e.type)).toEqual(['disclosure_given', 'consent_granted']);
    expect(none).toMatchObject({ code: 0, out: 'no audit events for call never-seen' });
  });

  it('hold refuses a later erase (exit 1, clear message); release, then erase --caller leaves only the tombstone', async () => {
    const { callId } = await seedCall(CALLER, 1);
    // The local pipeline adds a transcript beside the recording after it is stored.
    await stack.transcription.settle();

    const held = await runCli(holdCommand, ['--call-id', callId, '--reason', 'case-42'], dataDir);
    const refused = await runCli(eraseCommand, ['--call-id', callId], dataDir);
    const released = await runCli(holdCommand, ['--call-id', callId, '--release'], dataDir);
    const erased = await runCli(
      eraseCommand,
      ['--caller', CALLER, '--reason', 'data-subject-request', '--requested-by', 'dpo'],
      dataDir,
    );
    const exported = await runCli(exportCommand, ['--call-id', callId], dataDir);
    const audit = await runCli(auditCommand, [callId], dataDir);

    expect(held.code).toBe(0);
    const { objectsMoved } = JSON.parse(held.out) as { objectsMoved: number };
    expect(JSON.parse(held.out)).toMatchObject({ status: 'held' });
    expect(objectsMoved).toBeGreaterThanOrEqual(3); // metadata, audio, archive/ audio (+ the transcript)
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/erase refused \(legal_hold\).*under legal hold/);
    expect(JSON.parse(released.out)).toMatchObject({ status: 'released', objectsMoved });
    expect(erased.code).toBe(0);
    expect((JSON.parse(erased.out) as { calls: Array<{ callId: string }> }).calls.map((c) => c.callId)).toContain(callId);
    expect(erased.out).not.toContain('4155550123');
    const doc = JSON.parse(exported.out) as ExportDocument;
    expect(doc.calls[0]).toMatchObject({ consent: null, recordings: [], objects: [], otherItems: [] });
    expect(doc.calls[0]?.events.map((e) => e.type)).toEqual(['erased']);
    expect(audit.out).toMatch(
      /^\S+Z {2}erased {2}objects=\d+ items=\d+ reason=data-subject-request requestedBy=dpo signalwireDeleted=0 signalwire=not_configured$/,
    );
  });

  it('export of a big caller: key and presigned URL printed; --out FILE downloads the same document (mode 600)', async () => {
    const caller = '+14155550166';
    const seeded = [await seedCall(caller, 3), await seedCall(caller, 3)];
    const saved = process.env.EXPORT_INLINE_MAX_BYTES;
    process.env.EXPORT_INLINE_MAX_BYTES = '4000';
    const file = join(dataDir, 'export.json');
    try {
      const printed = await runCli(exportCommand, ['--caller', caller], dataDir);
      const written = await runCli(exportCommand, ['--caller', caller, '--out', file], dataDir);
      const small = await runCli(exportCommand, ['--call-id', 'never-seen', '--out', join(dataDir, 'small.json')], dataDir);

      expect(printed.code).toBe(0);
      const ref = JSON.parse(printed.out) as { kind: string; key: string; url: string; calls: number };
      expect(ref).toMatchObject({ kind: 'recording-agent-export-ref', calls: 2 });
      expect(printed.err).toContain(`stored as ${ref.key}`);
      expect(ref.url).toContain('X-Amz-Signature=');
      expect(written.code).toBe(0);
      expect(JSON.parse(written.out)).toMatchObject({
        file,
        calls: 2,
        key: expect.stringMatching(/^exports\/caller-/) as unknown,
      });
      const document = JSON.parse(readFileSync(file, 'utf8')) as ExportDocument;
      expect(document.kind).toBe('recording-agent-export');
      expect(document.calls.map((c) => c.callId).sort()).toEqual(seeded.map((c) => c.callId).sort());
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).not.toContain('4155550166');
      expect(JSON.parse(small.out)).toMatchObject({ calls: 1 });
      expect(small.out).not.toContain('key');
    } finally {
      if (saved === undefined) delete process.env.EXPORT_INLINE_MAX_BYTES;
      else process.env.EXPORT_INLINE_MAX_BYTES = saved;
    }
  });

  it.each([
    [eraseCommand, []],
    [eraseCommand, ['--call-id', 'a', '--caller', CALLER]],
    [exportCommand, ['--caller', 'not-a-number']],
    [holdCommand, ['--caller', CALLER]],
    [auditCommand, []],
  ])('%s rejects bad usage %j before touching storage', async (command, argv) => {
    await expect(runCli(command, argv as string[], dataDir)).rejects.toBeInstanceOf(UsageError);
  });

  describe('--stack <name>: the deployed privacy function', () => {
    let standIn: AwsStandIn;
    let restore: () => void;

    beforeAll(async () => {
      // Stand-ins for CloudFormation (DescribeStacks) and Lambda (Invoke), the two AWS APIs the
      // CLI calls; the "deployed function" is the real handler, run in-process against the local
      // stack's storage.
      standIn = await startAwsStandIn({ 'recording-agent-prod': { PrivacyFunctionName: 'recording-agent-prod-Privacy-abc123' } });
      restore = standIn.useEndpoints();
    });
    afterAll(async () => {
      restore();
      await standIn.close();
    });

    it('finds the function through the stack output and invokes it with the request', async () => {
      const { callId } = await seedCall(CALLER, 1);

      const held = await runCli(holdCommand, ['--call-id', callId, '--stack', 'recording-agent-prod'], dataDir);
      const audit = await runCli(auditCommand, [callId, '--stack', 'recording-agent-prod'], dataDir);

      expect(standIn.invocations.map((i) => i.functionName)).toEqual([
        'recording-agent-prod-Privacy-abc123',
        'recording-agent-prod-Privacy-abc123',
      ]);
      expect(held.code).toBe(0);
      expect(held.err).toContain('invoking the privacy function of stack recording-agent-prod');
      expect(JSON.parse(held.out)).toMatchObject({ callId, status: 'held' });
      expect(audit.out).toMatch(/legal_hold_set +reason=legal-hold/);
    });

    it('reports an unknown stack as an error', async () => {
      await expect(runCli(exportCommand, ['--call-id', 'x', '--stack', 'nope'], dataDir)).rejects.toThrow(/Stack does not exist/);
    });
  });
});
