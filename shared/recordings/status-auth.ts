import { decisionFromQuery } from '#shared/consent/call-decision.js';
import { findCallId, type QueryTokenAuth } from '#shared/http/middleware.js';

/**
 * /recording-status: basic auth, or the call's signed decision in the query (`decided` + `basis`,
 * shared/consent/call-decision.ts), valid for the call id the callback's body names. SignalWire
 * does not document honouring `user:pass@` in `record_call.status_url` (docs/protocol.md §7).
 */
export const recordingStatusTokenAuth: QueryTokenAuth = {
  present: (query) => Boolean(query?.basis),
  valid(event, tokenSecret) {
    const callId = findCallId(event.jsonBody);
    return callId !== undefined && decisionFromQuery(event.queryStringParameters, callId, tokenSecret) !== undefined;
  },
};
