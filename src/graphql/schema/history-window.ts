import type { GraphQLResolveInfo } from 'graphql';
import { LIMITS } from '../../sessions/limits.js';
import type { HistoryMessage, HistoryWindow } from '../../sessions/service.js';
import { decodeCursor, encodeCursor } from './connection.js';
import { argumentsOf, selectedFields } from './lookahead.js';

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
  const windows = new Map<string, HistoryWindow>();
  for (const field of selectedFields(info, info.fieldNodes, 'messages')) {
    const args = argumentsOf(info, field);
    if (!isHistoryArgs(args) || !isValidHistoryArgs(args)) return null;
    const window = toHistoryWindow(args);
    windows.set(JSON.stringify(window), window);
  }
  return windows.size === 1 ? [...windows.values()][0]! : null;
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
