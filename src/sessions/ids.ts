import { randomUUID } from 'node:crypto';

/** A uuid4 in hex without dashes (32 characters), the upstream id format. */
export function newId(): string {
  return randomUUID().replaceAll('-', '');
}
