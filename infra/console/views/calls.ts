import { CONSENT_FILTERS, type CallFilter, type CallPage } from '../calls.js';
import { html, type Html } from '../html.js';
import { callLink, shortHash, when } from './layout.js';

/** Filter form (GET, so a filtered list is a link) and one page of calls, most recent first. */
export function callsView(filter: CallFilter, page: CallPage): Html {
  const query = (extra: Record<string, string>): string => {
    const params = new URLSearchParams({ from: filter.from, to: filter.to });
    if (filter.consent) params.set('consent', filter.consent);
    if (filter.held) params.set('held', 'on');
    if (filter.incidents) params.set('incidents', 'on');
    for (const [k, v] of Object.entries(extra)) params.set(k, v);
    return `/calls?${params}`;
  };
  return html`
<form method="get" action="/calls" class="filters" aria-label="Filter calls">
<div><label for="from">From (UTC day)</label><input type="date" id="from" name="from" value="${filter.from}" required></div>
<div><label for="to">To (UTC day)</label><input type="date" id="to" name="to" value="${filter.to}" required></div>
<div><label for="consent">Consent</label><select id="consent" name="consent">
<option value="">any</option>
${CONSENT_FILTERS.map((c) => html`<option value="${c}"${filter.consent === c ? html` selected` : ''}>${c}</option>`)}
</select></div>
<div class="check"><input type="checkbox" id="held" name="held"${filter.held ? html` checked` : ''}><label for="held">Held only</label></div>
<div class="check"><input type="checkbox" id="incidents" name="incidents"${filter.incidents ? html` checked` : ''}><label for="incidents">With incidents</label></div>
<div><button type="submit">Filter</button></div>
</form>
<table class="list" aria-describedby="calls-caption">
<caption id="calls-caption">${page.rows.length} call${page.rows.length === 1 ? '' : 's'} on this page, most recent first</caption>
<thead><tr><th scope="col">Started</th><th scope="col">Call</th><th scope="col">Consent</th><th scope="col">Jurisdiction</th><th scope="col">Caller (hash)</th><th scope="col">Hold</th></tr></thead>
<tbody>
${page.rows.map(
  (row) => html`<tr data-call-id="${row.callId}">
<td>${when(row.startedAt)}</td><td>${callLink(row.callId)}</td>
<td><span class="badge consent-${row.consent}">${row.consent}</span></td>
<td>${row.jurisdiction}</td><td><code>${shortHash(row.callerHash)}</code></td>
<td>${row.held ? html`<span class="badge held">held</span>` : ''}</td></tr>`,
)}
</tbody>
</table>
${page.rows.length === 0 ? html`<p>No calls match.</p>` : ''}
${page.next ? html`<p><a class="button" rel="next" href="${query({ cursor: page.next })}">Next page</a></p>` : ''}`;
}
