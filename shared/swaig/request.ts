import * as z from '#shared/validation/zod.js';
import { badRequest } from '#shared/http/errors.js';
import { isSafeId } from '#shared/validation/ids.js';
import { zodIssuesMessage } from '#shared/validation/zod-message.js';

const safeId = z.string().check(z.refine(isSafeId, 'must be an id of letters, digits, . _ : - (max 128)'));
const functionName = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a function name'));

const ToolCall = z.object({
  function: functionName,
  argument: z.object({
    parsed: z.optional(z.array(z.record(z.string(), z.unknown()))),
    raw: z.optional(z.string()),
  }),
  call_id: safeId,
  ai_session_id: z.optional(z.string()),
  caller_id_num: z.optional(z.string().check(z.maxLength(64))),
  caller_id_name: z.optional(z.string().check(z.maxLength(256))),
  global_data: z.optional(z.record(z.string(), z.unknown())),
});

const SignatureRequest = z.object({
  action: z.literal('get_signature'),
  functions: z.optional(z.array(functionName).check(z.maxLength(100))),
});

export type SwaigToolCall = {
  kind: 'call';
  functionName: string;
  args: Record<string, unknown>;
  callId: string;
  callerNumber?: string;
  /** The call's global data as SignalWire echoes it (set by our SWML and our actions). */
  globalData: Record<string, unknown>;
};
export type SwaigSignatureRequest = { kind: 'signature'; functions?: string[] };

/** Parse what SignalWire POSTs to the SWAIG route (docs/protocol.md §2). */
export function parseSwaigRequest(body: unknown): SwaigToolCall | SwaigSignatureRequest {
  if (body && typeof body === 'object' && (body as { action?: unknown }).action === 'get_signature') {
    const parsed = SignatureRequest.safeParse(body);
    if (!parsed.success) throw badRequest('invalid_request', zodIssuesMessage(parsed.error, { root: 'body' }));
    return { kind: 'signature', functions: parsed.data.functions };
  }
  const parsed = ToolCall.safeParse(body);
  if (!parsed.success) throw badRequest('invalid_request', zodIssuesMessage(parsed.error, { root: 'body' }));
  const { data } = parsed;
  let args: Record<string, unknown> = data.argument.parsed?.[0] ?? {};
  if (!data.argument.parsed && data.argument.raw) {
    try {
      const raw = JSON.parse(data.argument.raw) as unknown;
      if (raw && typeof raw === 'object' && !Array.isArray(raw)) args = raw as Record<string, unknown>;
    } catch {
      throw badRequest('invalid_arguments', 'argument.raw is not a JSON object');
    }
  }
  return {
    kind: 'call',
    functionName: data.function,
    args,
    callId: data.call_id,
    callerNumber: data.caller_id_num,
    globalData: data.global_data ?? {},
  };
}
