import type { Caller } from '../sessions/model.js';

/**
 * The caller, from the `x-user-id` header (temporary, as upstream: a gateway or a trusted client
 * names the user). Missing or blank means anonymous.
 */
export function callerFromHeaders(headers: Headers): Caller | null {
  const userId = headers.get('x-user-id')?.trim();
  return userId ? { userId } : null;
}
