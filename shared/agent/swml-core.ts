import * as z from '#shared/validation/zod.js';
import { getConfig } from '#shared/config.js';
import { loadSecrets, requireCallerHashSecret } from '#shared/aws/secrets.js';
import { badRequest } from '#shared/http/errors.js';
import type { HttpEvent } from '#shared/http/middleware.js';
import { publicBaseUrl } from '#shared/http/public-url.js';
import { json, type HttpResult } from '#shared/http/response.js';
import { isSafeId } from '#shared/validation/ids.js';
import { zodIssuesMessage } from '#shared/validation/zod-message.js';
import { agentUrls } from './settings.js';
import { renderAgentSwml, type CallFacts } from './swml-document.js';

/** The parts of SignalWire's SWML request we use (docs/protocol.md §1); everything else is ignored. */
const SwmlRequest = z.object({
  call: z.optional(
    z.object({
      call_id: z.optional(z.string().check(z.refine(isSafeId, 'must be an id'))),
      from: z.optional(z.string().check(z.maxLength(256))),
      from_number: z.optional(z.string().check(z.maxLength(64))),
    }),
  ),
});

function callFacts(body: unknown): CallFacts {
  const parsed = SwmlRequest.safeParse(body);
  if (!parsed.success) {
    throw badRequest('invalid_request', zodIssuesMessage(parsed.error));
  }
  const call = parsed.data.call;
  return { callId: call?.call_id, callerNumber: call?.from_number ?? call?.from };
}

/**
 * GET or POST /swml: the agent's SWML document for this call. Touches no storage: the call's
 * decided facts travel signed in the document's URLs (shared/consent/call-decision.ts).
 */
export async function swmlCore(event: HttpEvent): Promise<HttpResult> {
  const config = getConfig();
  const secrets = await loadSecrets(config);
  const document = renderAgentSwml({
    config,
    urls: agentUrls(publicBaseUrl(event, config), secrets.username, secrets.password, config),
    tokenSecret: secrets.tokenSecret,
    callerHashSecret: requireCallerHashSecret(secrets),
    call: callFacts(event.jsonBody),
  });
  return json(200, document);
}
