/*
 * Connection, edge and PageInfo types come from plugin-relay (builder.connectionObject); cursors are
 * this service's own keyset cursors: base64url of a JSON array of the sort key's values, so page 500
 * costs what page 1 does (an index seek, never an OFFSET).
 */

export function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The cursor's values, or null when it is not one this service issued with `arity` values. */
export function decodeCursor(cursor: string, arity: number): string[] | null {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(values) && values.length === arity && values.every((value) => typeof value === 'string')
      ? values
      : null;
  } catch {
    return null;
  }
}
