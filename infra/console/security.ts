import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The console's defences, all on by default (issue #14 point 8):
 * - a random session token per run, printed once in the URL (the Jupyter pattern); the first
 *   request trades it for an HttpOnly, SameSite=Strict cookie, and every request without the
 *   cookie or token gets 403;
 * - the Host header must name our 127.0.0.1 address, so a DNS-rebinding page cannot reach us;
 * - every POST carries a CSRF token (a second random value, only in our own pages) and, when
 *   the browser sends them, a same-origin Origin and Sec-Fetch-Site;
 * - a strict Content-Security-Policy: scripts, styles and images from this server only, no
 *   inline code, audio only from the bucket's presigned origin, no framing.
 */
export interface ConsoleSecrets {
  sessionToken: string;
  csrfToken: string;
}

export const newSecrets = (): ConsoleSecrets => ({
  sessionToken: randomBytes(32).toString('base64url'),
  csrfToken: randomBytes(32).toString('base64url'),
});

const COOKIE = 'recording_agent_console';

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type Admission = 'cookie' | 'url-token' | 'refused';

/** How the request proves it comes from the operator: the session cookie, or the token in the URL. */
export function admit(request: IncomingMessage, url: URL, secrets: ConsoleSecrets, origin: string): Admission {
  if (request.headers.host !== new URL(origin).host) return 'refused';
  if (sameSecret(cookieValue(request, COOKIE), secrets.sessionToken)) return 'cookie';
  if (sameSecret(url.searchParams.get('token') ?? undefined, secrets.sessionToken)) return 'url-token';
  return 'refused';
}

/** A POST from one of our own pages: CSRF token in the form, and no cross-site origin. */
export function sameOriginPost(
  request: IncomingMessage,
  form: URLSearchParams,
  secrets: ConsoleSecrets,
  origin: string,
): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const from = request.headers.origin;
  if (from !== undefined && from !== origin) return false;
  return sameSecret(form.get('csrf') ?? undefined, secrets.csrfToken);
}

export function sessionCookie(secrets: ConsoleSecrets): string {
  return `${COOKIE}=${secrets.sessionToken}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Headers on every response; `mediaOrigin` is where presigned audio URLs point (the bucket's endpoint). */
export function securityHeaders(response: ServerResponse, mediaOrigin: string | undefined): void {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    `media-src ${mediaOrigin ?? "'none'"}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  response.setHeader('Content-Security-Policy', csp);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on our own form
  // POSTs, which the origin check must refuse. Nothing leaves for another origin either way.
  response.setHeader('Referrer-Policy', 'same-origin');
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
}
