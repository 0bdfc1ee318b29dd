/**
 * One header by name, whatever its case: API Gateway (payload v2) lower-cases header names, but
 * the local stand-in, tests and other callers may not. `name` is given in lower case.
 */
export function headerValue(headers: Readonly<Record<string, string | undefined>> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
