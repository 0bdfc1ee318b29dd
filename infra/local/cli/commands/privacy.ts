import type { AuditEvent } from '#shared/consent/types.js';
import { formatTimeline } from '#shared/privacy/audit.js';
import { parsePrivacyRequest, type PrivacyAction } from '#shared/privacy/privacy-core.js';
import {
  stringFlag,
  UsageError,
  type CliCommand,
  type CliContext,
  type FlagSpec,
  type ParsedArgs,
  noPositionals,
  UNEXPECTED_ARGUMENT,
} from '../command.js';
import { defaultRequestedBy, runOnTarget, type PrivacyTarget } from '../privacy-target.js';
import { isExportRef, writeExportFile } from '../export-file.js';
import type { ExportDocument, ExportRef } from '#shared/privacy/types.js';

const STACK_FLAG: FlagSpec = {
  name: 'stack',
  value: true,
  description:
    'deployed stack name: invoke its privacy function with the AWS credentials in the environment (default: the local stack)',
};
const CALL_ID: FlagSpec = { name: 'call-id', value: true, description: 'SignalWire call id' };
const CALLER: FlagSpec = {
  name: 'caller',
  value: true,
  description: "caller's number (E.164; hashed, never stored) or the 64-hex caller hash",
};
const REASON: FlagSpec = {
  name: 'reason',
  value: true,
  description: 'reason as a short slug (e.g. data-subject-request, case-2025-17)',
};
const REQUESTED_BY: FlagSpec = {
  name: 'requested-by',
  value: true,
  description: 'who asked, for the audit trail (default: your login)',
};
const JSON_FLAG: FlagSpec = { name: 'json', value: false, description: 'print JSON instead of text' };

function targetOf(args: ParsedArgs): PrivacyTarget {
  const stackName = stringFlag(args, 'stack');
  return stackName ? { kind: 'stack', stackName } : { kind: 'local' };
}

/**
 * Validate with the privacy function's own schema (so the CLI and `aws lambda invoke` accept
 * exactly the same requests), run on the target, print. Exit 1 when the operation was refused.
 */
async function runAction(
  action: PrivacyAction,
  fields: Record<string, string | undefined>,
  args: ParsedArgs,
  context: CliContext,
  print: (result: unknown) => string | Promise<string>,
): Promise<number> {
  const event = Object.fromEntries(Object.entries({ action, ...fields }).filter(([, v]) => v !== undefined));
  const parsed = parsePrivacyRequest(event);
  if ('error' in parsed) throw new UsageError(parsed.error.ok ? 'invalid request' : parsed.error.error.message);
  const response = await runOnTarget(targetOf(args), parsed.request, context);
  if (!response.ok) {
    context.err(`${action} refused (${response.error.code}): ${response.error.message}`);
    return 1;
  }
  context.out(await print(response.result));
  if (incomplete(response.result)) {
    context.err(`${action} incomplete: something could not be removed or moved yet (see "remaining"); run it again`);
    return 1;
  }
  return 0;
}

/** An erasure, hold or release that left something behind (for a caller: any of its calls). */
function incomplete(result: unknown): boolean {
  const { status, calls } = (typeof result === 'object' && result !== null ? result : {}) as {
    status?: unknown;
    calls?: unknown;
  };
  return status === 'incomplete' || (Array.isArray(calls) && calls.some((call) => incomplete(call)));
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

export const auditCommand: CliCommand = {
  name: 'audit',
  usage: 'audit <call_id> [--json] [--stack <name>]',
  summary: "print a call's audit timeline: time, event, detail",
  flags: [JSON_FLAG, STACK_FLAG],
  async run(args, context) {
    const [callId, extra] = args.positionals;
    if (!callId) throw new UsageError('audit needs a call id: audit <call_id>');
    if (extra !== undefined) throw new UsageError(UNEXPECTED_ARGUMENT);
    return runAction('audit', { callId }, args, context, (result) => {
      const { events } = result as { events: AuditEvent[] };
      return args.flags.has('json') ? pretty(events) : formatTimeline(callId, events);
    });
  },
};

export const eraseCommand: CliCommand = {
  name: 'erase',
  usage: 'erase --call-id <id> | --caller <+1...> [--reason <slug>] [--stack <name>]',
  summary:
    "erase a call's or caller's recordings, metadata, consent and audit data (incl. SignalWire's copy), leaving a tombstone",
  flags: [CALL_ID, CALLER, REASON, REQUESTED_BY, STACK_FLAG],
  async run(args, context) {
    noPositionals(args);
    return runAction(
      'erase',
      {
        callId: stringFlag(args, 'call-id'),
        caller: stringFlag(args, 'caller'),
        reason: stringFlag(args, 'reason'),
        requestedBy: stringFlag(args, 'requested-by') ?? defaultRequestedBy(),
      },
      args,
      context,
      pretty,
    );
  },
};

const OUT: FlagSpec = {
  name: 'out',
  value: true,
  description: 'write the document to this file (mode 600), downloading it when it was too big to answer inline',
};

/**
 * An export too big for a Lambda response comes back as a reference (key, presigned URL): said
 * on stderr, printed as JSON, and with --out downloaded into the file like an inline one.
 */
async function printExport(result: ExportDocument | ExportRef, args: ParsedArgs, context: CliContext): Promise<string> {
  if (isExportRef(result)) {
    context.err(
      `export too large to answer inline (${result.bytes} bytes, ${result.calls} calls): stored as ${result.key}; ` +
        `download it from the url below before ${result.urlExpiresAt} (or use --out FILE)`,
    );
  }
  const file = stringFlag(args, 'out');
  if (!file) return pretty(result);
  const written = await writeExportFile(result, file);
  return pretty({ ...written, ...(isExportRef(result) ? { key: result.key } : {}) });
}

export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'export --call-id <id> | --caller <+1...> [--out <file>] [--stack <name>]',
  summary: 'everything held about a call or caller as one JSON document (big ones: a presigned URL)',
  flags: [CALL_ID, CALLER, OUT, STACK_FLAG],
  async run(args, context) {
    noPositionals(args);
    return runAction(
      'export',
      { callId: stringFlag(args, 'call-id'), caller: stringFlag(args, 'caller') },
      args,
      context,
      (result) => printExport(result as ExportDocument | ExportRef, args, context),
    );
  },
};

export const holdCommand: CliCommand = {
  name: 'hold',
  usage: 'hold --call-id <id> [--release] [--reason <slug>] [--stack <name>]',
  summary: 'put a call under legal hold (no expiry, no erasure) or --release it',
  flags: [CALL_ID, { name: 'release', value: false, description: 'lift the hold' }, REASON, REQUESTED_BY, STACK_FLAG],
  async run(args, context) {
    noPositionals(args);
    return runAction(
      args.flags.has('release') ? 'release' : 'hold',
      {
        callId: stringFlag(args, 'call-id'),
        reason: stringFlag(args, 'reason'),
        requestedBy: stringFlag(args, 'requested-by') ?? defaultRequestedBy(),
      },
      args,
      context,
      pretty,
    );
  },
};

/** The privacy commands, for the CLI's command table. */
export const PRIVACY_COMMANDS: CliCommand[] = [auditCommand, eraseCommand, exportCommand, holdCommand];
