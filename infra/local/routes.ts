import { ROUTES } from '#shared/http/routes.js';
import { lazyHandler, type LocalRoute } from './server.js';

/** Absolute module URL of a function's handler (resolved here, not where the import runs). */
const handlerModule = (name: string): string => new URL(`../../functions/${name}/handler.ts`, import.meta.url).href;

/**
 * The HTTP API's routes (shared/http/routes.ts, as in the CDK stack), each to the real `handler`
 * export of its function. Imported lazily: the modules read configuration at load time, so the
 * environment must be set first, and a function not written yet breaks only its own route.
 */
export function functionRoutes(): LocalRoute[] {
  return Object.values(ROUTES).flatMap(({ path, methods, functionName }) => {
    const load = lazyHandler(handlerModule(functionName));
    return methods.map((method) => ({ method, path, functionName, load }));
  });
}
