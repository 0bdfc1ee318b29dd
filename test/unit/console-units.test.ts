import { describe, expect, it } from 'vitest';
import { runCli } from '#infra/local/cli.js';
import { consentLabel, daysDescending } from '#infra/console/calls.js';
import { escapeHtml, html } from '#infra/console/html.js';
import { buildTimeline } from '#infra/console/timeline.js';
import { dayIndexAttributes, isIncidentEvent } from '#shared/storage/day-index.js';

describe('console html', () => {
  it('escapes every interpolated value, nested templates stay markup', () => {
    const evil = `<script>alert("x")</script>&'`;
    expect(escapeHtml(evil)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(String(html`<p title="${evil}">${[html`<b>${evil}</b>`, 1, null, false]}</p>`)).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"><b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</b>1</p>',
    );
  });
});

describe('console lists', () => {
  it('labels consent: implied is a granted one-party disclosure, pending is none', () => {
    expect(consentLabel({ state: 'granted', evidence: 'implied:one-party-disclosure' })).toBe('implied');
    expect(consentLabel({ state: 'granted', evidence: 'affirmative:yes' })).toBe('granted');
    expect(consentLabel({ state: 'withdrawn' })).toBe('withdrawn');
    expect(consentLabel({ state: 'pending' })).toBe('none');
    expect(consentLabel(undefined)).toBe('none');
  });

  it('walks the days newest first, across a month end', () => {
    expect(daysDescending('2025-02-27', '2025-03-02')).toEqual(['2025-03-02', '2025-03-01', '2025-02-28', '2025-02-27']);
    expect(daysDescending('2025-03-02', '2025-03-01')).toEqual([]);
  });

  it('indexes calls by day and holds in one partition; incidents are recording incidents and secure data while recording', () => {
    expect(dayIndexAttributes('call', '2025-03-02T10:00:00.000Z', 'c1')).toEqual({
      listDay: '2025-03-02',
      listKey: 'CALL#2025-03-02T10:00:00.000Z#c1',
    });
    expect(dayIndexAttributes('hold', '2025-03-02T10:00:00.000Z', 'c1').listDay).toBe('HELD');
    expect(isIncidentEvent('recording_incident', { reason: 'no_consent' })).toBe(true);
    expect(isIncidentEvent('secure_tool_used', { recordingActive: true })).toBe(true);
    expect(isIncidentEvent('secure_tool_used', { recordingActive: false })).toBe(false);
    // A recording stored without granted consent is one too (issue #14 point 5), a consented one is not.
    expect(isIncidentEvent('recording_stored', { recordingId: 'r1', consent: 'missing' })).toBe(true);
    expect(isIncidentEvent('recording_stored', { recordingId: 'r1', consent: 'granted' })).toBe(false);
  });
});

describe('console timeline', () => {
  const at = (s: number): string => new Date(Date.UTC(2025, 2, 2, 10, 0, s)).toISOString();

  it('draws segments between start/resume and pause/stop, so pauses are gaps', () => {
    const timeline = buildTimeline([
      { type: 'consent_granted', at: at(0) },
      { type: 'recording_started', at: at(0) },
      { type: 'recording_paused', at: at(10) },
      { type: 'secure_tool_used', at: at(12), detail: { recordingActive: false } },
      { type: 'recording_resumed', at: at(15) },
      { type: 'payment_result', at: at(20), detail: { outcome: 'approved' } },
    ]);
    expect(timeline?.bars.map((b) => [b.from, b.to, b.open])).toEqual([
      [0, 0.5, false],
      [0.75, 1, true],
    ]);
    expect(timeline?.markers.find((m) => m.type === 'payment_result')?.label).toBe('payment result: approved');
    expect(timeline?.breakAt).toBeUndefined();
  });

  it('puts later operator actions after a break instead of squashing the call', () => {
    const timeline = buildTimeline([
      { type: 'consent_declined', at: at(0) },
      { type: 'recording_blocked', at: at(4) },
      { type: 'legal_hold_set', at: new Date(Date.UTC(2025, 4, 1)).toISOString() },
      { type: 'erased', at: new Date(Date.UTC(2025, 5, 1)).toISOString() },
    ]);
    expect(timeline?.breakAt).toBe(0.8);
    const positions = timeline?.markers.map((m) => Number(m.position.toFixed(3)));
    expect(positions).toEqual([0, 0.8, 0.867, 0.933]);
    expect(buildTimeline([])).toBeUndefined();
  });
});

describe('console command', () => {
  const run = async (args: string[]): Promise<{ code: number; err: string }> => {
    const err: string[] = [];
    const code = await runCli(['console', ...args], { out: () => undefined, err: (text) => void err.push(text) });
    return { code, err: err.join('\n') };
  };

  it('refuses a bad port or retention before starting anything', async () => {
    await expect(run(['--port', 'http'])).resolves.toMatchObject({ code: 2, err: expect.stringMatching(/--port must be/) });
    await expect(run(['--port', '70000'])).resolves.toMatchObject({ code: 2 });
    await expect(run(['--retention-days', '0'])).resolves.toMatchObject({
      code: 2,
      err: expect.stringMatching(/--retention-days/),
    });
    await expect(run(['extra'])).resolves.toMatchObject({ code: 2 });
  });
});
