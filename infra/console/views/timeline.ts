import { html, type Html } from '../html.js';
import { LANES, type Timeline } from '../timeline.js';
import { when } from './layout.js';

const WIDTH = 900;
const LEFT = 90;
const LANE_HEIGHT = 34;
const TOP = 10;

const x = (position: number): number => Math.round(LEFT + position * (WIDTH - LEFT - 20));
const laneY = (index: number): number => TOP + index * LANE_HEIGHT;

/**
 * The timeline as inline SVG: geometry in attributes, colours from the stylesheet (the CSP
 * forbids inline styles). Each shape has a <title> for hover; screen readers get the audit
 * table below, which holds the same events.
 */
export function timelineSvg(timeline: Timeline): Html {
  const height = TOP + LANES.length * LANE_HEIGHT + 24;
  return html`<figure class="timeline">
<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="timeline-title" focusable="false">
<title id="timeline-title">Call timeline from ${when(timeline.start)} to ${when(timeline.end)}</title>
${LANES.map(
  (lane, i) => html`<g class="lane lane-${lane}">
<line class="lane-line" x1="${LEFT}" x2="${WIDTH - 10}" y1="${laneY(i) + 14}" y2="${laneY(i) + 14}"></line>
<text class="lane-label" x="4" y="${laneY(i) + 18}">${lane}</text></g>`,
)}
${timeline.bars.map(
  (bar) =>
    html`<rect class="segment${bar.open ? ' open' : ''}" x="${x(bar.from)}" y="${laneY(1) + 6}" width="${Math.max(3, x(bar.to) - x(bar.from))}" height="16" rx="3"><title>recording segment ${when(bar.fromAt)} – ${when(bar.toAt)}${bar.open ? ' (no pause or stop seen)' : ''}</title></rect>`,
)}
${timeline.breakAt === undefined ? '' : html`<line class="break" x1="${x(timeline.breakAt)}" x2="${x(timeline.breakAt)}" y1="${TOP}" y2="${height - 20}"></line><text class="axis" x="${x(timeline.breakAt) + 4}" y="${height - 6}">later (operator actions)</text>`}
${timeline.markers.map(
  (m) =>
    html`<g class="marker marker-${m.type}"><circle cx="${x(m.position)}" cy="${laneY(LANES.indexOf(m.lane)) + 14}" r="6"></circle><title>${m.label} at ${when(m.at)}</title></g>`,
)}
<text class="axis" x="${LEFT}" y="${height - 6}">${when(timeline.start)}</text>
</svg>
<figcaption>Markers: consent, recording, payment, incident and operator events; bars: recording segments (gaps are pauses and secure captures). Hover for details; every event is in the audit table.</figcaption>
</figure>`;
}
