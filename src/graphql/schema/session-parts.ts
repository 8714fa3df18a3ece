import type { GraphQLResolveInfo } from 'graphql';
import { LIMITS } from '../../sessions/limits.js';
import type { SessionParts } from '../../sessions/listing.js';
import { argumentsOf, selectedFields } from './lookahead.js';

/**
 * What the nodes of a sessions connection select of their state (agent-state.ts), so the page and
 * those parts can be read in one statement; undefined when no node selects its state. The context
 * is read with the page only when every selection of it asks for the same valid window; otherwise
 * its field reads, and reports, on its own.
 */
export function selectedSessionParts(info: GraphQLResolveInfo): SessionParts | undefined {
  const nodes = selectedFields(info, selectedFields(info, info.fieldNodes, 'edges'), 'node');
  const states = selectedFields(info, nodes, 'state');
  if (states.length === 0) return undefined;
  const windows = new Set<number | undefined>();
  let valid = true;
  for (const field of selectedFields(info, states, 'context')) {
    const { last } = argumentsOf(info, field);
    if (last == null) windows.add(undefined);
    else if (isContextWindow(last)) windows.add(last);
    else valid = false;
  }
  const tasks = selectedFields(info, selectedFields(info, states, 'tasksContext'), 'tasks');
  return {
    state: true,
    ...(valid && windows.size === 1 && { context: { last: [...windows][0] } }),
    ...(tasks.length > 0 && { tasks: true }),
  };
}

/** As `SessionAgentState.context` validates `last`. */
function isContextWindow(last: unknown): last is number {
  return Number.isInteger(last) && (last as number) >= 0 && (last as number) <= LIMITS.contextMessages;
}
