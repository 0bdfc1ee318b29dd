import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '#infra/local/cli.js';
import { openSession } from '#infra/local/cli/session.js';
import { runOnTarget } from '#infra/local/cli/privacy-target.js';
import type { CliContext } from '#infra/local/cli/command.js';
import { startConsole, type RunningConsole } from '#infra/console/server.js';
import { localSource } from '#infra/console/source.js';
import { useConsentStoreForTests } from '#shared/agent/swaig-core.js';
import { DynamoConsentStore } from '#shared/consent/dynamo-consent-store.js';
import { resetInstance } from '#shared/instance.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startE2eStack, tempDataDir } from './local-stack-harness.js';

/**
 * The operator console (issue #14) in a real headless Chromium: Debian's `chromium` driven by
 * playwright-core, which never downloads a browser. Calls are driven through the CLI as
 * SignalWire would; the console acts through the privacy operations in-process.
 */
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url));
const INSTALL_HINT =
  'the console browser test needs Chromium: `sudo apt-get install chromium` (Debian/Ubuntu; .ci/run installs it), ' +
  'or set CHROMIUM_PATH to a Chromium/Chrome binary';

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
    return found || undefined;
  } catch {
    return undefined;
  }
}

const CHROMIUM = findChromium();
const IN_CI = Boolean(process.env.CI);
// Straight to the terminal (fd 2): the test setup captures process.stderr, and this hint is for
// the developer running `npm test`, whose run would otherwise only count a skipped test.
if (!CHROMIUM && !IN_CI) writeSync(2, `\nconsole browser test skipped: ${INSTALL_HINT}\n`);

/** Values the simulated callers give, which must never appear on any page. */
const SENSITIVE = ['123-45-6789', '4242424242424242', '+15551230000', '+15551230001', '+15551230002'];

/** One CLI command in this process against the running stack (as the bin would run it). */
async function cli(args: string[], dataDir: string): Promise<string> {
  useConsentStoreForTests(undefined);
  resetInstance();
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    env: { ...process.env, LOCAL_DATA_DIR: dataDir },
  });
  if (code !== 0) throw new Error(`recording-agent ${args.join(' ')} exited ${code}: ${err.join('\n')}`);
  return out.join('\n');
}

describe.runIf(CHROMIUM === undefined && IN_CI)('operator console browser test', () => {
  it('has Chromium', () => {
    throw new Error(`CI=true but no chromium on PATH: ${INSTALL_HINT}`);
  });
});

describe.runIf(CHROMIUM !== undefined)('operator console in headless Chromium', () => {
  const data = tempDataDir();
  const CALLS = { full: 'console-full-1', refused: 'console-refused-2', withdrawn: 'console-withdrawn-3' };
  let running: Awaited<ReturnType<typeof startE2eStack>>;
  let consoleApp: RunningConsole;
  let browser: Browser;
  let page: Page;
  let crossSite: Server;

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  };
  const expectNoSensitive = async (): Promise<void> => {
    const content = await page.content();
    for (const value of SENSITIVE) expect(content).not.toContain(value);
  };
  const act = async (action: string, fill?: Record<string, string>): Promise<string> => {
    const form = page.locator(`form.action-${action}`);
    for (const [label, value] of Object.entries(fill ?? {})) await form.getByLabel(label).fill(value);
    // Every action answers with a redirect to the call page carrying its one-time outcome.
    await Promise.all([page.waitForURL(/[?&]outcome=/), form.getByRole('button').click()]);
    return (await page.locator('#outcome').textContent()) ?? '';
  };

  /** Submit the filter form and wait for the list it loads (its URL carries the new query). */
  const filter = async (): Promise<void> => {
    const before = page.url();
    await Promise.all([page.waitForURL((url) => url.href !== before), page.getByRole('button', { name: 'Filter' }).click()]);
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    running = await startE2eStack(data.dir);
    await cli(['simulate', '--call-id', CALLS.full, '--from', '+15551230000'], data.dir);
    await cli(
      ['exec', 'get_recording_consent', '--args', '{"response":"no"}', '--call-id', CALLS.refused, '--from', '+15551230001'],
      data.dir,
    );
    const withdrawn = ['--call-id', CALLS.withdrawn, '--from', '+15551230002'];
    await cli(['exec', 'get_recording_consent', '--args', '{"response":"yes"}', ...withdrawn], data.dir);
    await cli(['exec', 'stop_recording', ...withdrawn], data.dir);
    // An incident on the refused call, as the recording-status webhook writes one for a
    // recording SignalWire reports after a refusal.
    const { endpoints } = running.stack;
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: endpoints.region,
        endpoint: endpoints.dynamodb,
        credentials: { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey },
      }),
    );
    await new DynamoConsentStore(db, endpoints.table, 30).appendEvent(CALLS.refused, {
      type: 'recording_incident',
      detail: { reason: 'after_refusal', recordingId: 'rec-incident-1', controlId: 'main' },
    });

    const context: CliContext = {
      out: () => undefined,
      err: () => undefined,
      session: () => openSession({ ...process.env, LOCAL_DATA_DIR: data.dir }),
    };
    const source = localSource(endpoints, (request) => runOnTarget({ kind: 'local' }, request, context), {
      retentionDays: 30,
      requestedBy: 'console:test-operator',
    });
    consoleApp = await startConsole(source);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    // A page on another origin that posts an erase to the console without the CSRF token.
    crossSite = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(
        `<form id="f" method="post" action="${consoleApp.origin}/calls/${CALLS.withdrawn}/actions">` +
          `<input name="action" value="erase"><input name="confirm" value="${CALLS.withdrawn}"></form>` +
          '<script>document.getElementById("f").submit()</script>',
      );
    });
    await new Promise<void>((resolve) => crossSite.listen(0, '127.0.0.1', () => resolve()));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await consoleApp?.close();
    await new Promise<void>((resolve) => (crossSite ? crossSite.close(() => resolve()) : resolve()));
    await running?.stack.stop();
    data.remove();
  });

  it('lists the calls most recent first and finds them by filter', async () => {
    await page.goto(consoleApp.url);
    expect(new URL(page.url()).pathname).toBe('/calls');
    expect(page.url()).not.toContain('token='); // traded for the cookie, out of the address bar
    for (const id of Object.values(CALLS)) await expect(page.locator(`tr[data-call-id="${id}"]`).count()).resolves.toBe(1);
    const order = await page
      .locator('tbody tr[data-call-id]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-call-id')));
    expect(order).toEqual([CALLS.withdrawn, CALLS.refused, CALLS.full]);
    await expectNoSensitive();
    await shot('calls');

    await page.getByLabel('Consent').selectOption('declined');
    await filter();
    expect(
      await page.locator('tbody tr[data-call-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-call-id'))),
    ).toEqual([CALLS.refused]);
    await page.getByLabel('Consent').selectOption('withdrawn');
    await filter();
    expect(await page.locator('tbody tr[data-call-id]').count()).toBe(1);
    await expect(page.locator(`tr[data-call-id="${CALLS.withdrawn}"]`).count()).resolves.toBe(1);

    await page.getByLabel('Consent').selectOption('');
    await page.getByLabel('With incidents').check();
    await filter();
    expect(
      await page.locator('tbody tr[data-call-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-call-id'))),
    ).toEqual([CALLS.refused]);
    await shot('calls-filtered');
  });

  it('draws a call timeline and its audit events without any sensitive value', async () => {
    await page.goto(`${consoleApp.origin}/calls`);
    await Promise.all([page.waitForURL(/\/calls\/console-full-1$/), page.getByRole('link', { name: CALLS.full }).click()]);
    await expect(page.locator('.timeline svg').count()).resolves.toBe(1);
    expect(await page.locator('.timeline rect.segment').count()).toBeGreaterThanOrEqual(2); // paused around the SSN
    const audit = await page.locator('#audit').textContent();
    for (const type of ['consent_granted', 'recording_paused', 'secure_tool_used', 'recording_resumed', 'payment_result']) {
      expect(audit).toContain(type);
    }
    await expect(page.locator('dl.facts').textContent()).resolves.toContain('granted');
    await expectNoSensitive();
    await shot('call-timeline');
  });

  it('holds, refuses erasure while held, releases, exports, erases and shows the tombstone', async () => {
    await page.goto(`${consoleApp.origin}/calls/${CALLS.full}`);
    expect(await act('hold')).toContain('hold: done');
    await expect(page.locator('#audit').textContent()).resolves.toContain('legal_hold_set');
    await page.goto(`${consoleApp.origin}/calls?held=on`);
    await expect(page.locator(`tr[data-call-id="${CALLS.full}"]`).count()).resolves.toBe(1);
    await page.goto(`${consoleApp.origin}/retention`);
    await expect(page.locator('main').textContent()).resolves.toContain(CALLS.full);
    await shot('retention');

    await page.goto(`${consoleApp.origin}/calls/${CALLS.full}`);
    const eraseButton = page.locator('form.action-erase button');
    await expect(eraseButton.isDisabled()).resolves.toBe(true); // until the call id is typed
    expect(await act('erase', { 'Type the call id to confirm': CALLS.full })).toMatch(/erase: refused.*legal_hold/s);
    await shot('erase-refused');

    expect(await act('release')).toContain('release: done');
    await expect(page.locator('#audit').textContent()).resolves.toContain('legal_hold_released');
    await page.locator('section[aria-labelledby="timeline-h"]').screenshot({ path: join(ARTIFACTS, 'timeline.png') });

    expect(await act('export')).toContain('export: done');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: /Download the export/ }).click();
    const exported = await (await download).path();
    expect(exported).toBeTruthy();

    expect(await act('erase', { 'Type the call id to confirm': CALLS.full })).toContain('erase: done');
    await expect(page.locator('dl.facts').textContent()).resolves.toContain('erased — tombstone kept');
    await expect(page.locator('#audit tr.event-erased').count()).resolves.toBe(1);
    await expectNoSensitive();
    await shot('erased');
  }, 120_000);

  it('lists recordings with their expiry and the incidents with links to their calls', async () => {
    await page.goto(`${consoleApp.origin}/recordings`);
    await expect(page.locator('main table').textContent()).resolves.toMatch(/\d+/);
    await page.goto(`${consoleApp.origin}/incidents`);
    await Promise.all([page.waitForURL(/\/calls\/console-refused-2$/), page.getByRole('link', { name: CALLS.refused }).click()]);
    await expect(page.locator('#audit').textContent()).resolves.toContain('recording_incident');
  });

  it('answers 403 without the session token or with a wrong one', async () => {
    const anonymous = await browser.newPage();
    try {
      expect((await anonymous.goto(`${consoleApp.origin}/calls`))?.status()).toBe(403);
      expect((await anonymous.goto(`${consoleApp.origin}/calls?token=wrong-token`))?.status()).toBe(403);
      expect((await anonymous.goto(`${consoleApp.origin}/static/console.css`))?.status()).toBe(403);
    } finally {
      await anonymous.close();
    }
    const response = await fetch(`${consoleApp.origin}/calls/${CALLS.withdrawn}/actions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `action=erase&confirm=${CALLS.withdrawn}&csrf=${consoleApp.secrets.csrfToken}`,
    });
    expect(response.status).toBe(403);
  });

  it('refuses a POST without the CSRF token, from its own page or from another site', async () => {
    await page.goto(`${consoleApp.origin}/calls/${CALLS.withdrawn}`);
    const status = await page.evaluate(async (callId) => {
      const response = await fetch(`/calls/${callId}/actions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `action=erase&confirm=${callId}`,
      });
      return response.status;
    }, CALLS.withdrawn);
    expect(status).toBe(403);

    // Same browser context: the session cookie exists (and ports do not make another site), so only the CSRF checks stop it.
    const crossSitePage = await page.context().newPage();
    try {
      const posted = crossSitePage.waitForResponse((r) => r.url().startsWith(consoleApp.origin));
      await crossSitePage.goto(`http://127.0.0.1:${(crossSite.address() as AddressInfo).port}/`);
      expect((await posted).status()).toBe(403);
    } finally {
      await crossSitePage.close();
    }
    await page.goto(`${consoleApp.origin}/calls/${CALLS.withdrawn}`);
    await expect(page.locator('#audit tr.event-erased').count()).resolves.toBe(0);
  });

  it('sends a strict Content-Security-Policy and loads nothing from elsewhere', async () => {
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(consoleApp.origin)) external.push(request.url());
    });
    const response = await page.goto(`${consoleApp.origin}/calls`);
    const csp = (await response?.headerValue('content-security-policy')) ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(external).toEqual([]);
  });
});
