import type { AuditEvent } from '#shared/consent/types.js';
import { redactString } from '#shared/validation/personal-data.js';
import type { CallDetail, RecordingView } from '../call-detail.js';
import { html, type Html } from '../html.js';
import { buildTimeline } from '../timeline.js';
import { shortHash, when } from './layout.js';
import { timelineSvg } from './timeline.js';

/** What an action answered, shown once on the page it redirects to. */
export interface ActionOutcome {
  action: string;
  ok: boolean;
  message: string;
  /** A one-time download of an inline export. */
  download?: string;
  /** A presigned URL of an export too big to answer inline. */
  exportUrl?: string;
}

/** Audit details hold codes and counts only (sanitized on write); redacted again on the way out. */
const detailText = (event: AuditEvent): string =>
  Object.entries(event.detail ?? {})
    .map(([key, value]) => `${key}=${redactString(String(value))}`)
    .join(' ');

function recordingRow(r: RecordingView): Html {
  return html`<tr><td><code>${r.recordingId}</code></td><td>${when(r.receivedAt)}</td><td>${r.durationSeconds ?? '—'}</td>
<td>${r.consent}</td><td>${r.held ? 'held (no expiry)' : when(r.expiresAt)}</td><td>${r.daysLeft ?? '—'}</td>
<td>${r.audioUrl ? html`<audio controls preload="none" src="${r.audioUrl}" aria-label="Play recording ${r.recordingId}"></audio>` : 'not archived'}</td></tr>`;
}

function actionForms(detail: CallDetail, csrf: string): Html {
  const reason = (id: string, value: string): Html =>
    html`<label for="${id}">Reason (slug)</label><input id="${id}" name="reason" value="${value}" pattern="[a-z][a-z0-9._-]{0,47}" required>`;
  const form = (action: string, body: Html, button: string): Html =>
    html`<form method="post" action="/calls/${encodeURIComponent(detail.callId)}/actions" class="action action-${action}">
<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="${action}">
${body}<button type="submit">${button}</button></form>`;
  return html`<section aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2>
<p>Each action runs the privacy operation (locally in-process, deployed through the privacy function with your IAM identity) and lands in the audit trail.</p>
<div class="actions">
${detail.erased ? '' : detail.held ? form('release', reason('release-reason', 'hold-lifted'), 'Release hold') : form('hold', reason('hold-reason', 'legal-hold'), 'Place legal hold')}
${form('export', html``, 'Export call data')}
${
  detail.erased
    ? ''
    : form(
        'erase',
        html`${reason('erase-reason', 'data-subject-request')}
<label for="erase-confirm">Type the call id to confirm</label><input id="erase-confirm" name="confirm" autocomplete="off" required data-confirm="${detail.callId}" aria-describedby="erase-help">
<p id="erase-help" class="help">Erasure deletes recordings, metadata, consent and audit data and leaves a tombstone. It is refused while the call is held.</p>`,
        'Erase call',
      )
}
</div></section>`;
}

function outcomeBanner(outcome: ActionOutcome | undefined): Html {
  if (!outcome) return html``;
  return html`<div class="outcome ${outcome.ok ? 'ok' : 'refused'}" role="status" id="outcome">
<p><strong>${outcome.action}: ${outcome.ok ? 'done' : 'refused'}</strong> — ${outcome.message}</p>
${outcome.download ? html`<p><a href="${outcome.download}" download>Download the export (JSON, once)</a></p>` : ''}
${outcome.exportUrl ? html`<p><a href="${outcome.exportUrl}" rel="noreferrer">Download the export</a> (presigned, expires soon)</p>` : ''}
</div>`;
}

export function callView(detail: CallDetail, csrf: string, outcome: ActionOutcome | undefined): Html {
  const timeline = buildTimeline(detail.events);
  return html`${outcomeBanner(outcome)}
<dl class="facts">
<dt>Consent</dt><dd><span class="badge consent-${detail.consent}">${detail.consent}</span></dd>
<dt>Jurisdiction</dt><dd>${detail.jurisdiction}</dd>
<dt>Mode</dt><dd>${detail.mode ?? '—'}</dd>
<dt>Caller (keyed hash)</dt><dd><code>${shortHash(detail.callerHash)}</code></dd>
<dt>Started</dt><dd>${when(detail.startedAt)}</dd>
<dt>Legal hold</dt><dd>${detail.hold ? `held since ${when(detail.hold.since)} (${detail.hold.reason}, by ${detail.hold.requestedBy})` : detail.held ? 'held' : 'no'}</dd>
<dt>Erased</dt><dd>${detail.erased ? html`<span class="badge erased">erased — tombstone kept</span>` : 'no'}</dd>
</dl>
${detail.empty ? html`<p>Nothing is stored for this call id.</p>` : ''}
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>
${timeline ? timelineSvg(timeline) : html`<p>No audit events.</p>`}
</section>
<section aria-labelledby="recordings-h"><h2 id="recordings-h">Recordings</h2>
${
  detail.recordings.length === 0
    ? html`<p>No recordings stored.</p>`
    : html`<table class="list"><thead><tr><th scope="col">Recording</th><th scope="col">Received</th><th scope="col">Seconds</th><th scope="col">Consent</th><th scope="col">Expires</th><th scope="col">Days left</th><th scope="col">Audio</th></tr></thead>
<tbody>${detail.recordings.map(recordingRow)}</tbody></table>`
}
</section>
<section aria-labelledby="audit-h"><h2 id="audit-h">Audit events</h2>
<table class="list" id="audit"><thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Detail</th></tr></thead>
<tbody>${detail.events.map((e) => html`<tr class="event-${e.type}"><td>${when(e.at)}</td><td>${e.type}</td><td><code>${detailText(e)}</code></td></tr>`)}</tbody></table>
</section>
${actionForms(detail, csrf)}`;
}
