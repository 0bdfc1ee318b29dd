import { html, type Html } from '../html.js';
import type { RecordingRow } from '../call-detail.js';
import type { IncidentRow, RetentionOverview } from '../overview.js';
import { callLink, when } from './layout.js';

export function recordingsView(rows: RecordingRow[], days: number): Html {
  return html`<p>Recordings received in the last ${days} days, newest first. Open a call to play its archived audio (short-lived presigned URL).</p>
<table class="list"><caption>${rows.length} recording${rows.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Received</th><th scope="col">Call</th><th scope="col">Recording</th><th scope="col">Expires</th><th scope="col">Days left</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr><td>${when(r.receivedAt)}</td><td>${callLink(r.callId)}</td><td><code>${r.recordingId}</code></td>
<td>${r.held ? 'held (no expiry)' : when(r.expiresAt)}</td><td>${r.daysLeft ?? '—'}</td></tr>`,
  )}</tbody></table>`;
}

export function incidentsView(rows: IncidentRow[], days: number): Html {
  return html`<p>Recording without consent, sensitive data while recording, recordings without callbacks: the last ${days} days, newest first.</p>
<table class="list"><caption>${rows.length} incident${rows.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Call</th><th scope="col">Recording</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td>${when(r.at)}</td><td><span class="badge incident">${r.kind}</span></td><td>${callLink(r.callId)}</td><td><code>${r.recordingId ?? '—'}</code></td></tr>`,
  )}</tbody></table>`;
}

const CHART_WIDTH = 900;
const CHART_HEIGHT = 160;

/** Expiries per day for the next retention period as an SVG bar chart, with the same numbers as a table. */
export function retentionView(overview: RetentionOverview): Html {
  const max = Math.max(1, ...overview.days.map((d) => d.count));
  const step = (CHART_WIDTH - 40) / Math.max(1, overview.days.length);
  const total = overview.days.reduce((sum, d) => sum + d.count, 0);
  return html`<p>${total} recording${total === 1 ? '' : 's'} expire in the next ${overview.retentionDays} days (retention ${overview.retentionDays} days, counted from receipt). Held recordings do not expire.</p>
<figure class="chart"><svg viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT + 30}" width="100%" role="img" aria-labelledby="chart-title">
<title id="chart-title">Recordings expiring per day</title>
${overview.days.map((d, i) => {
  const h = Math.round((d.count / max) * CHART_HEIGHT);
  return html`<rect class="expiry" x="${Math.round(30 + i * step)}" y="${CHART_HEIGHT - h + 10}" width="${Math.max(1, Math.floor(step) - 1)}" height="${h}"><title>${d.day}: ${d.count}</title></rect>`;
})}
<text class="axis" x="30" y="${CHART_HEIGHT + 26}">${overview.days[0]?.day ?? ''}</text>
<text class="axis" x="${CHART_WIDTH - 110}" y="${CHART_HEIGHT + 26}">${overview.days[overview.days.length - 1]?.day ?? ''}</text>
</svg><figcaption>Bars: recordings expiring on each day (hover for the count).</figcaption></figure>
<details><summary>Expiries as a table</summary><table class="list"><thead><tr><th scope="col">Day</th><th scope="col">Expiring</th></tr></thead>
<tbody>${overview.days.filter((d) => d.count > 0).map((d) => html`<tr><td>${d.day}</td><td>${d.count}</td></tr>`)}</tbody></table></details>
<h2>Held calls</h2>
<table class="list"><caption>${overview.held.length} held call${overview.held.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Call</th><th scope="col">Since</th><th scope="col">Reason</th><th scope="col">By</th></tr></thead>
<tbody>${overview.held.map((h) => html`<tr><td>${callLink(h.callId)}</td><td>${when(h.since)}</td><td>${h.reason}</td><td>${h.requestedBy}</td></tr>`)}</tbody></table>`;
}
