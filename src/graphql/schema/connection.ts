import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';

export interface PageInfoShape {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface ConnectionShape<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  pageInfo: PageInfoShape;
  /** Counted only when a client asks for it. */
  totalCount: () => Promise<number>;
}

export const PageInfo = builder.objectRef<PageInfoShape>('PageInfo').implement({
  description: 'Relay page information.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.exposeString('startCursor', { nullable: true }),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

/** A Relay connection type `<Name>Connection` with `<Name>Edge`, `pageInfo` and `totalCount`. */
export function connectionOf<Node>(name: string, node: ObjectRef<never, Node> | ObjectRef<any, Node>) {
  const edge = builder.objectRef<{ cursor: string; node: Node }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      // The edge carries exactly the node type's backing shape.
      node: t.field({ type: node, resolve: (parent) => parent.node as never }),
    }),
  });
  return builder.objectRef<ConnectionShape<Node>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [edge], resolve: (parent) => parent.edges }),
      pageInfo: t.field({ type: PageInfo, resolve: (parent) => parent.pageInfo }),
      totalCount: t.int({ resolve: (parent) => parent.totalCount() }),
    }),
  });
}

/** Opaque cursors: base64url of a JSON array of the sort key's values. */
export function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The cursor's values, or null when it is not one this service issued with `arity` values. */
export function decodeCursor(cursor: string, arity: number): string[] | null {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(values) && values.length === arity && values.every((value) => typeof value === 'string') ? values : null;
  } catch {
    return null;
  }
}
