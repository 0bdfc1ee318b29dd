import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Config } from '#shared/config.js';
import { badRequest } from './errors.js';
import { headerValue } from './headers.js';

/**
 * The base URL SignalWire reaches us at. Config wins (behind API Gateway the Host header is
 * the gateway's own domain, which is right, but a custom domain or proxy is not visible);
 * otherwise the forwarded headers, then Host — the Python SDK's order.
 */
export function publicBaseUrl(event: APIGatewayProxyEventV2, config: Config): string {
  if (config.SWML_PROXY_URL_BASE) return config.SWML_PROXY_URL_BASE;
  const { headers } = event;
  // A proxy chain lists every hop ("a, b"): the first is what the sender asked for.
  const host =
    headerValue(headers, 'x-forwarded-host')?.split(',')[0]?.trim() ??
    headerValue(headers, 'host') ??
    event.requestContext?.domainName ??
    'localhost';
  const proto = headerValue(headers, 'x-forwarded-proto')?.split(',')[0]?.trim() ?? 'https';
  const base = `${proto}://${host}`;
  // Request headers: what does not make a URL (paths are appended to it) is the sender's fault
  // (400), not a crash (500).
  if (!URL.canParse(`${base}/`)) throw badRequest('invalid_host', 'Host and X-Forwarded-* headers do not form a URL');
  return base;
}

/** `https://user:pass@host/path`: the form SignalWire uses to send basic auth back to us. */
export function withCredentials(url: string, username: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(username);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** The URL SignalWire requested, without credentials: what its signatures are computed over. */
export function requestUrl(event: APIGatewayProxyEventV2, config: Config): string {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return `${publicBaseUrl(event, config)}${event.rawPath ?? '/'}${query}`;
}
