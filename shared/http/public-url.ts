import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Config } from '#shared/config.js';
import { headerValue } from './headers.js';

/**
 * The base URL SignalWire reaches us at. Config wins (behind API Gateway the Host header is
 * the gateway's own domain, which is right, but a custom domain or proxy is not visible);
 * otherwise the forwarded headers, then Host — the Python SDK's order.
 */
export function publicBaseUrl(event: APIGatewayProxyEventV2, config: Config): string {
  if (config.SWML_PROXY_URL_BASE) return config.SWML_PROXY_URL_BASE;
  const { headers } = event;
  const host =
    headerValue(headers, 'x-forwarded-host') ?? headerValue(headers, 'host') ?? event.requestContext?.domainName ?? 'localhost';
  const proto = headerValue(headers, 'x-forwarded-proto')?.split(',')[0]?.trim() ?? 'https';
  return `${proto}://${host}`;
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
