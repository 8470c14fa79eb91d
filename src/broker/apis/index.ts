/**
 * Every API this broker serves, one line per handler file. The router dispatches on this
 * list and ApiVersions advertises exactly these ranges; an API not listed is not
 * advertised and a request for it closes the connection as Kafka does for unknown keys.
 */
import type { AnyApiHandler } from '../handler.js';
import { apiVersionsHandler } from './18-api-versions.js';

export const apiHandlers: readonly AnyApiHandler[] = [
  apiVersionsHandler,
];

/** Handlers indexed by api key (built once). */
export function handlersByKey(handlers: readonly AnyApiHandler[] = apiHandlers): Map<number, AnyApiHandler> {
  const map = new Map<number, AnyApiHandler>();
  for (const handler of handlers) {
    if (map.has(handler.apiKey)) throw new Error(`two handlers for api key ${handler.apiKey}`);
    map.set(handler.apiKey, handler);
  }
  return map;
}
