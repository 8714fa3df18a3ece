import { listCost, pageSize } from '../cost.js';
import { LIMITS } from '../../sessions/limits.js';
import { builder } from '../builder.js';
import { idKey, referencedId } from '../entities.js';
import { SessionConnection, SessionObject, sessionPageArgs, sessionPageRule, sessionsPage } from './session.js';

/**
 * Agents belong to the agents subgraph. This subgraph knows only their id, which is all a session
 * stores, and contributes the caller's sessions of each agent.
 */
export const AgentRef = builder.objectRef<{ id: string }>('Agent').implement({
  description: 'An agent, owned by the agents subgraph; this subgraph adds its sessions.',
  fields: (t) => ({
    id: t.exposeID('id'),
    sessions: t.field({
      type: SessionConnection,
      complexity: ({ first }) => listCost(pageSize(first, LIMITS.defaultPageSize, LIMITS.maxPageSize)),
      nullable: true,
      description: "The caller's sessions of this agent, paged, filtered and ordered as Query.sessions.",
      args: sessionPageArgs(),
      validate: sessionPageRule,
      resolve: (agent, page, context, info) => sessionsPage(context, agent.id, page, info),
    }),
  }),
});

builder.asEntity(AgentRef, { key: idKey, resolveReference: (reference) => ({ id: referencedId(reference) }) });

builder.objectField(SessionObject, 'agent', (t) =>
  t.field({
    type: AgentRef,
    // Nullable: should the agents subgraph fail, only this field is null.
    nullable: true,
    description: 'The agent that runs this session; the gateway fetches its details from the agents subgraph.',
    resolve: (session) => ({ id: session.agentId }),
  }),
);
