import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { composeServices as composeWithGuild } from '@theguild/federation-composition';
import { buildSchema, parse, type GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AGENTS_SDL, createAgentsSubgraph, type AgentRecord } from './support/agents-subgraph.js';
import { startTestApp } from './support/fixtures.js';
import { WORKFLOWS_SDL } from './support/workflows-subgraph.js';
import { listenOnLoopback, postGraphQL, startGateway, type Running } from './support/supergraph.js';

const SUBGRAPH_SDL = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

const SUBGRAPHS = [
  { name: 'sessions', typeDefs: parse(SUBGRAPH_SDL), url: 'http://sessions.invalid/graphql' },
  { name: 'agents', typeDefs: parse(AGENTS_SDL), url: 'http://agents.invalid/graphql' },
  { name: 'workflows', typeDefs: parse(WORKFLOWS_SDL), url: 'http://workflows.invalid/graphql' },
];

/**
 * The one hint composition gives, explained: both subgraphs define the standard `DateTime` scalar,
 * each with its own description, and the supergraph keeps one of them. Nothing else may hint.
 */
const isExplained = (hint: { definition: { code: string }; toString(): string }) =>
  hint.definition.code === 'INCONSISTENT_DESCRIPTION' && hint.toString().includes('Element "DateTime"');

describe('composition with two neighbour subgraphs that use the same generic names', () => {
  test('@apollo/composition composes without errors and without unexplained hints', () => {
    const result = composeServices(SUBGRAPHS);
    expect(result.errors?.map((error) => error.message)).toBeUndefined();
    expect((result.hints ?? []).filter((hint) => !isExplained(hint)).map((hint) => hint.toString())).toEqual([]);
    const api = result.schema!.toAPISchema().toGraphQLJSSchema();
    const fieldsOf = (type: string) => Object.keys((api.getType(type) as any).getFields());
    expect(fieldsOf('Agent')).toEqual(expect.arrayContaining(['id', 'name', 'sessions', 'featuredSession']));
    expect(fieldsOf('Session')).toEqual(expect.arrayContaining(['agent', 'agentId', 'config', 'state']));
    expect(fieldsOf('SessionChatModelConfig')).toContain('credential');
    // Each subgraph keeps its own meaning of the generic names.
    expect(fieldsOf('Task')).toEqual(expect.arrayContaining(['title', 'origin']));
    expect(fieldsOf('SessionTask')).toEqual(expect.arrayContaining(['subject', 'blockedBy']));
    expect(fieldsOf('Query')).toEqual(expect.arrayContaining(['agent', 'session', 'sessions', 'tasks', 'inbox']));
    expect(fieldsOf('Mutation')).toEqual(
      expect.arrayContaining(['createSession', 'updateSession', 'replaceSessionState', 'deleteSession']),
    );
  });

  test('@theguild/federation-composition composes without errors', () => {
    const result = composeWithGuild(SUBGRAPHS);
    expect(result.errors?.map((error) => error.message)).toBeUndefined();
    const api = buildSchema(result.publicSdl!);
    expect(Object.keys((api.getType('Session') as GraphQLObjectType).getFields())).toEqual(
      expect.arrayContaining(['agent', 'state', 'messages']),
    );
    expect(Object.keys((api.getType('Task') as GraphQLObjectType).getFields())).toContain('origin');
  });
});

describe('behind Apollo Gateway', () => {
  const agents: AgentRecord[] = [
    { id: 'agent-1', name: 'Researcher' },
    { id: 'agent-2', name: 'Writer' },
  ];
  let sessions: Awaited<ReturnType<typeof startTestApp>>;
  const running: Running[] = [];
  let sessionsUrl: string;
  let gatewayUrl: string;

  beforeAll(async () => {
    sessions = await startTestApp();
    const sessionsSubgraph = await listenOnLoopback(sessions.app.yoga);
    const agentsSubgraph = await listenOnLoopback(createAgentsSubgraph(agents));
    running.push(sessionsSubgraph, agentsSubgraph);
    sessionsUrl = sessionsSubgraph.url;
    const gateway = await startGateway([
      { name: 'sessions', url: sessionsSubgraph.url },
      { name: 'agents', url: agentsSubgraph.url },
    ]);
    running.unshift(gateway);
    gatewayUrl = gateway.url;
  }, 60_000);

  afterAll(async () => {
    for (const server of running) await server.close();
    await sessions?.close();
  });

  const viaGateway = (query: string, variables: Record<string, unknown>, userId?: string) =>
    postGraphQL(gatewayUrl, query, variables, userId);

  async function createSession(userId: string, agentId: string, name: string) {
    const { data, errors } = await viaGateway(
      /* GraphQL */ `mutation Create($input: CreateSessionInput!) { createSession(input: $input) { ... on CreateSessionPayload { session { id userId agentId } } } }`,
      { input: { agentId, name, chatModelConfig: { type: 'openai', credentialId: 'cred-1', model: 'gpt-4o' } } },
      userId,
    );
    expect(errors).toBeUndefined();
    return data.createSession.session as { id: string; userId: string; agentId: string };
  }

  test("the caller's x-user-id reaches the sessions subgraph; without it the subgraph answers UNAUTHENTICATED", async () => {
    const session = await createSession('gw-alice', 'agent-2', 'owned by the header');
    expect(session.userId).toBe('gw-alice');

    const anonymous = await viaGateway(`query { sessions(agentId: "agent-2") { totalCount } }`, {});
    expect(anonymous.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  test("a session with its agent's name, joined from the agents subgraph", async () => {
    const session = await createSession('gw-alice', 'agent-1', 'research notes');
    const { data, errors } = await viaGateway(
      /* GraphQL */ `query Get($id: ID!, $agentId: ID!) {
        session(id: $id, agentId: $agentId) { id userId config { name chatModelConfig { credential { id } } } agent { id name } }
      }`,
      { id: session.id, agentId: 'agent-1' },
      'gw-alice',
    );
    expect(errors).toBeUndefined();
    expect(data.session).toEqual({
      id: session.id,
      userId: 'gw-alice',
      config: { name: 'research notes', chatModelConfig: { credential: { id: 'cred-1' } } },
      agent: { id: 'agent-1', name: 'Researcher' },
    });
  });

  test("an agent with the caller's sessions of it, paged, joined from the sessions subgraph", async () => {
    const mine: string[] = [];
    for (const name of ['one', 'two', 'three']) mine.push((await createSession('gw-pager', 'agent-2', name)).id);
    await createSession('gw-pager', 'agent-1', 'another agent');
    await createSession('gw-someone-else', 'agent-2', 'not mine');

    const query = /* GraphQL */ `query Agent($after: String) {
      agent(id: "agent-2") { name sessions(first: 2, after: $after) { totalCount edges { node { id agent { name } } } pageInfo { hasNextPage endCursor } } }
    }`;
    const first = await viaGateway(query, {}, 'gw-pager');
    expect(first.errors).toBeUndefined();
    expect(first.data.agent.name).toBe('Writer');
    expect(first.data.agent.sessions.totalCount).toBe(3);
    expect(first.data.agent.sessions.edges).toEqual([
      { node: { id: mine[2], agent: { name: 'Writer' } } },
      { node: { id: mine[1], agent: { name: 'Writer' } } },
    ]);
    const second = await viaGateway(query, { after: first.data.agent.sessions.pageInfo.endCursor }, 'gw-pager');
    expect(second.errors).toBeUndefined();
    expect(second.data.agent.sessions.edges.map((edge: any) => edge.node.id)).toEqual([mine[0]]);
    expect(second.data.agent.sessions.pageInfo.hasNextPage).toBe(false);
  });

  test('@oneOf inputs, absent from the supergraph, are still enforced by the subgraph', async () => {
    const session = await createSession('gw-writer', 'agent-1', 'one of');
    const replace = /* GraphQL */ `mutation Replace($input: ReplaceSessionStateInput!) {
      replaceSessionState(input: $input) { ... on ReplaceSessionStatePayload { session { version } } }
    }`;
    const twoKinds = { summary: { text: 'plain', blocks: [] } };
    const { data, errors } = await viaGateway(
      replace,
      { input: { sessionId: session.id, agentId: 'agent-1', state: twoKinds } },
      'gw-writer',
    );
    expect(data?.replaceSessionState ?? null).toBeNull();
    // Rejected by the sessions subgraph, not by the gateway, which does not know @oneOf.
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'sessions' });

    const unchanged = await viaGateway(
      `query ($id: ID!) { session(id: $id, agentId: "agent-1") { version } }`,
      { id: session.id },
      'gw-writer',
    );
    expect(unchanged.data.session.version).toBe(1);
  });

  test("another caller's session does not resolve through _entities, via the gateway or directly", async () => {
    const session = await createSession('gw-owner', 'agent-1', 'private');
    agents[0]!.featuredSessionId = session.id;
    const featured = /* GraphQL */ `query { agent(id: "agent-1") { name featuredSession { id config { name } } } }`;

    const owner = await viaGateway(featured, {}, 'gw-owner');
    expect(owner.errors).toBeUndefined();
    expect(owner.data.agent.featuredSession).toEqual({ id: session.id, config: { name: 'private' } });

    const intruder = await viaGateway(featured, {}, 'gw-intruder');
    expect(intruder.errors).toBeUndefined();
    expect(intruder.data.agent).toEqual({ name: 'Researcher', featuredSession: null });

    // A client that reaches the subgraph itself fares no better.
    const entities = /* GraphQL */ `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Session { id config { name } } } }`;
    const direct = await postGraphQL(
      sessionsUrl,
      entities,
      { representations: [{ __typename: 'Session', id: session.id }] },
      'gw-intruder',
    );
    expect(direct.errors).toBeUndefined();
    expect(direct.data._entities).toEqual([null]);
  });
});
