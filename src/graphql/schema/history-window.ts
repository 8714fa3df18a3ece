import { getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, Kind, valueFromASTUntyped } from 'graphql';
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { LIMITS } from '../../sessions/limits.js';
import type { HistoryMessage, HistoryWindow } from '../../sessions/service.js';
import { decodeCursor, encodeCursor } from './connection.js';

/* The arguments of `Session.messages` as a window of the history (see message.ts). */

const MAX_SEQ = 2 ** 31 - 1;

export const historyCursor = {
  encode: (message: HistoryMessage) => encodeCursor([String(message.seq)]),
  decode(cursor: string): number | null {
    const seq = Number(decodeCursor(cursor, 1)?.[0]);
    // Within the column's range: a forged larger number would fail in SQL, not as bad input.
    return Number.isInteger(seq) && seq >= 0 && seq <= MAX_SEQ ? seq : null;
  },
};

export type HistoryArgs = {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
};

/** Arguments that passed the field's validation as a window. */
export function toHistoryWindow(args: HistoryArgs): HistoryWindow {
  if (args.first != null || args.after != null) {
    return {
      first: args.first ?? LIMITS.defaultMessagePage,
      ...(args.after != null && { afterSeq: historyCursor.decode(args.after)! }),
    };
  }
  return {
    last: args.last ?? LIMITS.defaultMessagePage,
    ...(args.before != null && { beforeSeq: historyCursor.decode(args.before)! }),
  };
}

/** A page goes one way: forward with first/after or backward with last/before. */
export function isOneDirection(args: HistoryArgs): boolean {
  return (args.first == null && args.after == null) || (args.last == null && args.before == null);
}

export const MESSAGE_PAGE_SIZE = { min: 1, max: LIMITS.maxMessagePage };

/** Whether arguments pass the field's validation (message.ts validates with the same rules). */
function isValidHistoryArgs(args: HistoryArgs): boolean {
  const validSize = (size: number | null | undefined) =>
    size == null || (Number.isInteger(size) && size >= MESSAGE_PAGE_SIZE.min && size <= MESSAGE_PAGE_SIZE.max);
  const validCursor = (cursor: string | null | undefined) => cursor == null || historyCursor.decode(cursor) !== null;
  return (
    isOneDirection(args) &&
    validSize(args.first) &&
    validSize(args.last) &&
    validCursor(args.after) &&
    validCursor(args.before)
  );
}

/**
 * The one window of `messages` a `session` field selects, so the session and the window can be read
 * in one statement; null when it selects none, several, or one with arguments its validation refuses
 * (the field then reads, and reports, on its own).
 */
export function selectedHistoryWindow(info: GraphQLResolveInfo): HistoryWindow | null {
  const variables = info.variableValues;
  const windows = new Set<string>();
  let window: HistoryWindow | null = null;
  let valid = true;
  const visited = new Set<string>();
  const visit = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (!isIncluded(selection, variables)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (visited.has(selection.name.value)) continue;
        visited.add(selection.name.value);
        visit(info.fragments[selection.name.value]?.selectionSet);
      } else if (selection.name.value === 'messages') {
        const args: Record<string, unknown> = {};
        for (const argument of selection.arguments ?? [])
          args[argument.name.value] = valueFromASTUntyped(argument.value, variables);
        if (!isHistoryArgs(args) || !isValidHistoryArgs(args)) valid = false;
        else {
          window = toHistoryWindow(args);
          windows.add(JSON.stringify(window));
        }
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return valid && windows.size === 1 ? window : null;
}

function isHistoryArgs(args: Record<string, unknown>): args is HistoryArgs {
  const optional = (value: unknown, type: 'number' | 'string') => value == null || typeof value === type;
  return (
    optional(args.first, 'number') &&
    optional(args.last, 'number') &&
    optional(args.after, 'string') &&
    optional(args.before, 'string')
  );
}

/** @skip and @include, as execution applies them. */
function isIncluded(
  node: Parameters<typeof getDirectiveValues>[1],
  variables: GraphQLResolveInfo['variableValues'],
): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
