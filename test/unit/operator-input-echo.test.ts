import { describe, expect, it } from 'vitest';
import { noPositionals, parseArgs, shown, UsageError, type CliCommand, type CliContext } from '#infra/local/cli/command.js';
import { execCommand } from '#infra/local/cli/commands/exec.js';
import { auditCommand, eraseCommand, exportCommand, holdCommand } from '#infra/local/cli/commands/privacy.js';
import { isReason, isRequestedBy } from '#shared/privacy/types.js';
import * as z from '#shared/validation/zod.js';
import { zodIssuesMessage } from '#shared/validation/zod-message.js';

/**
 * Issue #12 point 6: messages about bad input name at most a known field, never a key or value
 * the sender chose (it may be personal data pasted in the wrong place). The privacy function's
 * answers are covered on the emulators in test/integration/privacy-hostile-input.test.ts.
 */
const PLANTS = ['078-05-1120', '078051120', '4111111111111111', '1980-04-05', '+14155550199', '4155550199'];
const plantsIn = (text: string): string[] => PLANTS.filter((p) => text.includes(p));

/** The UsageError a command throws, before it ever opens a session (storage). */
async function usageError(command: CliCommand, argv: string[]): Promise<string> {
  const context: CliContext = {
    out: () => undefined,
    err: () => undefined,
    session: () => Promise.reject(new Error('must not reach storage')),
  };
  try {
    await command.run(parseArgs(argv, command.flags), context);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('no usage error');
}

describe('zod messages', () => {
  it('say "unknown keys" without naming them', () => {
    const parsed = z.strictObject({ action: z.string() }).safeParse({ action: 'x', ssn_078051120: 1, '4111111111111111': 2 });

    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(parsed.error.issues[0]?.message).toContain('ssn_078051120'); // zod's own text would echo it
    expect(zodIssuesMessage(parsed.error, { root: 'event' })).toBe('event: unknown keys are not allowed');
  });

  it('hide a path through a key the sender made up (a record key), keep known field paths', () => {
    const schema = z.object({ meta: z.record(z.string(), z.number()), callId: z.string() });
    const parsed = schema.safeParse({ meta: { ssn_078051120: 'x', 'dob 1980-04-05': 'y', plain: 'z' }, callId: 5 });

    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const message = zodIssuesMessage(parsed.error, { root: 'body' });
    expect(plantsIn(message)).toEqual([]);
    expect(message).toContain('a field: Invalid input: expected number');
    expect(message).toContain('meta.plain: Invalid input: expected number');
    expect(message).toContain('callId: Invalid input: expected string');
  });
});

describe('operator text rules', () => {
  it.each(['data-subject-request', 'case-2025-17', 'legal-hold', 'gdpr.art17'])('accept the reason %s', (reason) => {
    expect(isReason(reason)).toBe(true);
  });
  it.each(['ssn-078-05-1120', 'dob-1980-04-05', 'dob.1980.04.05', 'card_4111111111111111', 'phone-4155550199', 'Free text'])(
    'refuse the reason %s',
    (reason) => expect(isReason(reason)).toBe(false),
  );
  it.each([
    ['dpo@example.com', true],
    ['ops:alice', true],
    ['078051120', false],
    ['4155550199', false],
    ['ops@1980-04-05', false],
    ['ops:4111:1111:1111:1111', false],
  ])('requestedBy %s → %s', (value, ok) => expect(isRequestedBy(value)).toBe(ok));
});

describe('CLI usage messages', () => {
  it('name a mistyped flag, command or tool only when it is name-shaped and clean', () => {
    expect(() => parseArgs(['--bogus'], [])).toThrow(/^unknown option --bogus$/);
    for (const argv of [['--ssn-078-05-1120'], ['--4111111111111111=1'], ['--dob_1980-04-05'], ['--+14155550199']]) {
      expect(() => parseArgs(argv, [])).toThrow(UsageError);
      try {
        parseArgs(argv, []);
      } catch (error) {
        expect(plantsIn((error as Error).message)).toEqual([]);
      }
    }
    expect(shown('frobnicate')).toBe("'frobnicate'");
    expect(shown('ssn078051120')).toBe('(not shown: not a name)');
  });

  it('never repeat an extra positional argument', () => {
    expect(() => noPositionals({ positionals: ['078-05-1120'], flags: new Map() })).toThrow(/^unexpected argument \(/);
  });

  it.each([
    [eraseCommand, ['--call-id', 'call-1', '--reason', 'ssn-078-05-1120']],
    [eraseCommand, ['--call-id', 'call-1', '--requested-by', '4155550199']],
    [eraseCommand, ['--call-id', '4111111111111111']],
    [holdCommand, ['--call-id', 'call-1', '--reason', 'dob-1980-04-05']],
    [exportCommand, ['--caller', '078-05-1120']],
    [exportCommand, ['--call-id', '+14155550199']],
    [auditCommand, ['1980-04-05']],
    [auditCommand, ['call-1', '078-05-1120']],
    [execCommand, ['recording_info', '078-05-1120']],
    [execCommand, ['ssn_received', '--args', '{"ssn": 078-05-1120']],
  ] as const)('%s %j: refused before storage, no plant in the message', async (command, argv) => {
    const message = await usageError(command, [...argv]);

    expect(message.length).toBeGreaterThan(0);
    expect(plantsIn(message)).toEqual([]);
  });
});
