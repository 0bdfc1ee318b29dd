import { lazyHandler, type LocalRoute } from './server.js';

/** Absolute module URL of a function's handler (resolved here, not where the import runs). */
const handlerModule = (name: string): string => new URL(`../../functions/${name}/handler.ts`, import.meta.url).href;

/**
 * The same four routes as the HTTP API in the CDK stack, each to the real `handler` export of
 * its function. Imported lazily: the modules read configuration at load time, so the
 * environment must be set first, and a function not written yet breaks only its own route.
 */
export function functionRoutes(): LocalRoute[] {
  const swml = lazyHandler(handlerModule('swml'));
  return [
    { method: 'GET', path: '/swml', functionName: 'swml', load: swml },
    { method: 'POST', path: '/swml', functionName: 'swml', load: swml },
    { method: 'POST', path: '/swaig', functionName: 'swaig', load: lazyHandler(handlerModule('swaig')) },
    {
      method: 'POST',
      path: '/recording-status',
      functionName: 'recording-status',
      load: lazyHandler(handlerModule('recording-status')),
    },
    {
      method: 'POST',
      path: '/payment',
      functionName: 'payment-connector',
      load: lazyHandler(handlerModule('payment-connector')),
    },
  ];
}
