import { html, type Html } from '../html.js';

const NAV = [
  { href: '/calls', label: 'Calls' },
  { href: '/recordings', label: 'Recordings' },
  { href: '/incidents', label: 'Incidents' },
  { href: '/retention', label: 'Retention' },
] as const;

/** The page shell: skip link, navigation, one main landmark; CSS and JS from this server only. */
export function page(title: string, active: string, body: Html, target: string): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · recording-agent console</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<p class="brand">recording-agent console <span class="target">${target}</span></p>
<nav aria-label="Sections"><ul>
${NAV.map((item) => html`<li><a href="${item.href}"${item.href === active ? html` aria-current="page"` : ''}>${item.label}</a></li>`)}
</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A short form of a keyed caller hash: enough to tell callers apart, never the number. */
export const shortHash = (hash: string | undefined): string => (hash ? `${hash.slice(0, 12)}…` : '—');

/** ISO time without milliseconds, in UTC. */
export const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '—');

export const callLink = (callId: string): Html => html`<a href="/calls/${encodeURIComponent(callId)}">${callId}</a>`;
