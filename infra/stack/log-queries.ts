/**
 * Logs Insights queries as plain data (no CDK import), shared by the stack's saved query
 * definitions and `npm run logs`, so the console and the CLI ask the same question.
 */
import { MetricName } from '#shared/observability/metrics.js';

export interface QueryParts {
  fields?: string[];
  filterStatements?: string[];
  statsStatements?: string[];
  sort?: string;
  limit?: number;
}

/** Saved queries cannot take parameters: the operator replaces this in the console. */
const CALL_ID_PLACEHOLDER = 'CALL_ID';

/** Ids SignalWire uses (UUIDs) and nothing that could break out of a quoted query string. */
export const SAFE_CALL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const LOG_QUERIES = {
  callTimeline: {
    title: `call timeline by call_id (replace ${CALL_ID_PLACEHOLDER})`,
    parts: {
      fields: ['@timestamp', 'service', 'level', 'message', 'code', 'reason'],
      // correlation_id is set on every line by the correlateCall middleware; call_id is appended too.
      filterStatements: [`correlation_id = "${CALL_ID_PLACEHOLDER}" or call_id = "${CALL_ID_PLACEHOLDER}"`],
      sort: '@timestamp asc',
      limit: 1000,
    },
  },
  authFailures: {
    title: 'auth failures',
    parts: {
      fields: ['@timestamp', 'service', 'status', 'code', 'reason', 'correlation_id'],
      // The httpErrors middleware logs every 4xx as "request rejected" with status and code.
      filterStatements: ['message = "request rejected" and (status = 401 or code = "invalid_signature")'],
      sort: '@timestamp desc',
      limit: 200,
    },
  },
  consentOutcomes: {
    title: 'consent outcomes',
    parts: {
      // EMF lines carry each metric as a top-level field: count outcomes without parsing messages.
      filterStatements: [
        `ispresent(${MetricName.ConsentGranted}) or ispresent(${MetricName.ConsentDeclined}) or ispresent(${MetricName.ConsentWithdrawn})`,
      ],
      statsStatements: [
        `sum(${MetricName.ConsentGranted}) as granted, sum(${MetricName.ConsentDeclined}) as declined, sum(${MetricName.ConsentWithdrawn}) as withdrawn by bin(1h)`,
      ],
    },
  },
  coldStarts: {
    title: 'cold starts',
    parts: {
      filterStatements: ['@type = "REPORT"'],
      fields: ['greatest(@initDuration, 0) + @duration as duration', 'ispresent(@initDuration) as coldStart'],
      statsStatements: [
        'count(*) as count, pct(duration, 50) as p50, pct(duration, 99) as p99, max(duration) as max by @log, coldStart',
      ],
    },
  },
} as const satisfies Record<string, { title: string; parts: QueryParts }>;

/** Query text in Logs Insights syntax (filter before fields so computed fields see filtered rows). */
function renderQuery(parts: QueryParts): string {
  const lines: string[] = [];
  for (const f of parts.filterStatements ?? []) lines.push(`filter ${f}`);
  if (parts.fields?.length) lines.push(`fields ${parts.fields.join(', ')}`);
  for (const s of parts.statsStatements ?? []) lines.push(`stats ${s}`);
  if (parts.sort) lines.push(`sort ${parts.sort}`);
  if (parts.limit !== undefined) lines.push(`limit ${parts.limit}`);
  return lines.join('\n| ');
}

/** The timeline query for one call; rejects ids that are not safe inside the quoted filter. */
export function callTimelineQuery(callId: string): string {
  if (!SAFE_CALL_ID.test(callId)) throw new Error('call id must be letters, digits, dot, dash, colon or underscore');
  return renderQuery(LOG_QUERIES.callTimeline.parts).replaceAll(CALL_ID_PLACEHOLDER, callId);
}

/** Output id holding a function's log group name: `recording-status` → `LogGroupRecordingStatus`. */
export function logGroupOutputId(service: string): string {
  return `LogGroup${service.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase())}`;
}
