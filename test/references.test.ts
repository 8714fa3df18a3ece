import type { RequestListener } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAgentsSubgraph } from './support/agents-subgraph.js';
import { createCredentialsSubgraph } from './support/credentials-subgraph.js';
import { graphql } from './graphql/graphql.js';
import { CREATE_SESSION, createdSession, GET_SESSION, UPDATE_SESSION, writeOf } from './support/documents.js';
import { startTestApp } from './support/fixtures.js';
import { listenOnLoopback, type Running } from './support/supergraph.js';
import { startTcpProxy } from './support/tcp-proxy.js';

/*
 * The reference check against real owners: an agents and a credentials subgraph on loopback, each
 * scoping what it owns to the x-user-id it is sent, the agents one behind a TCP proxy the tests cut.
 */

const model = (credentialId: string) => ({ type: 'openai', credential_id: credentialId, model: 'gpt-5' });

/** Counts the requests a subgraph receives. */
function counted(listener: RequestListener, counter: { requests: number }): RequestListener {
  return (request, response) => {
    counter.requests++;
    listener(request, response);
  };
}

describe('with both owners configured', () => {
  const agents = { requests: 0 };
  const credentials = { requests: 0 };
  const running: Running[] = [];
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let service: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    const agentsSubgraph = await listenOnLoopback(
      counted(
        createAgentsSubgraph(
          ['agent-own', 'agent-count', 'agent-fresh', 'agent-gql']
            .map((id) => ({ id, name: id, userId: 'alice' }))
            .concat({ id: 'agent-bobs', name: 'b', userId: 'bob' }),
        ),
        agents,
      ),
    );
    const credentialsSubgraph = await listenOnLoopback(
      counted(
        createCredentialsSubgraph([
          { id: 'cred-own', provider: 'openai', userId: 'alice' },
          { id: 'cred-count', provider: 'openai', userId: 'alice' },
          { id: 'cred-bobs', provider: 'openai', userId: 'bob' },
        ]),
        credentials,
      ),
    );
    running.push(agentsSubgraph, credentialsSubgraph);
    const agentsUrl = new URL(agentsSubgraph.url);
    proxy = await startTcpProxy({ host: agentsUrl.hostname, port: Number(agentsUrl.port) });
    service = await startTestApp({
      env: {
        AGENTS_SUBGRAPH_URL: `http://127.0.0.1:${proxy.port}/graphql`,
        CREDENTIALS_SUBGRAPH_URL: credentialsSubgraph.url,
        // Far beyond any answer of a loaded test machine (the silent owner is tested below).
        REFERENCE_TIMEOUT_MS: '10000',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await proxy?.close();
    for (const server of running) await server.close();
  });

  const listTotal = async (agentId: string, userId = 'alice') => {
    const response = await service.rest('GET', `/sessions/?agent_id=${agentId}`, { userId });
    expect(response.status).toBe(200);
    return response.body.total as number;
  };

  test("REST create and list answer 404 for an agent that is unknown or someone else's, as upstream", async () => {
    const created = await service.rest('POST', '/sessions/', {
      body: { agent_id: 'agent-own', chat_model_config: model('cred-own') },
      userId: 'alice',
    });
    expect(created.status).toBe(201);
    for (const agentId of ['agent-none', 'agent-bobs']) {
      expect(await service.rest('POST', '/sessions/', { body: { agent_id: agentId }, userId: 'alice' })).toMatchObject({
        status: 404,
        body: { detail: `Agent '${agentId}' not found.` },
      });
      expect(await service.rest('GET', `/sessions/?agent_id=${agentId}`, { userId: 'alice' })).toMatchObject({
        status: 404,
        body: { detail: `Agent '${agentId}' not found.` },
      });
    }
    // The caller's credential travels with the question: bob's agent is bob's.
    expect(await listTotal('agent-bobs', 'bob')).toBe(0);
    expect(await listTotal('agent-own')).toBe(1);
  });

  test("a chat_model_config naming an unknown or someone else's credential is a 404 on create and PATCH, and changes nothing", async () => {
    for (const credentialId of ['cred-none', 'cred-bobs']) {
      expect(
        await service.rest('POST', '/sessions/', {
          body: { agent_id: 'agent-own', chat_model_config: model(credentialId) },
          userId: 'alice',
        }),
      ).toMatchObject({
        status: 404,
        body: { detail: `Credential '${credentialId}' not found.` },
      });
    }
    const created = await service.rest('POST', '/sessions/', {
      body: { agent_id: 'agent-own', name: 'kept' },
      userId: 'alice',
    });
    const path = `/sessions/${created.body.session_id}?agent_id=agent-own`;
    for (const credentialId of ['cred-none', 'cred-bobs']) {
      expect(
        await service.rest('PATCH', path, {
          body: { name: 'changed', chat_model_config: model(credentialId) },
          userId: 'alice',
        }),
      ).toMatchObject({
        status: 404,
        body: { detail: `Credential '${credentialId}' not found.` },
      });
    }
    const { data } = await service.graphql(
      GET_SESSION,
      { id: created.body.session_id, agentId: 'agent-own' },
      { userId: 'alice' },
    );
    expect(data!.session).toMatchObject({ version: 1, config: { name: 'kept', chatModelConfig: null } });
    // A PATCH that names no credential needs no check; one naming the caller's passes.
    expect((await service.rest('PATCH', path, { body: { name: 'renamed' }, userId: 'alice' })).status).toBe(200);
    expect(
      (await service.rest('PATCH', path, { body: { chat_model_config: model('cred-own') }, userId: 'alice' })).status,
    ).toBe(200);
    expect((await service.rest('PATCH', path, { body: { chat_model_config: null }, userId: 'alice' })).status).toBe(
      200,
    );
  });

  test('GraphQL writes answer SessionReferenceNotFoundError naming the agent or credential; nothing is written', async () => {
    const unknownAgent = await service.graphql(
      CREATE_SESSION,
      { input: { agentId: 'agent-bobs' } },
      { userId: 'alice' },
    );
    expect(unknownAgent.data!.createSession).toMatchObject({
      __typename: 'SessionReferenceNotFoundError',
      message: "Agent 'agent-bobs' not found.",
      referenceType: 'Agent',
      referenceId: 'agent-bobs',
    });
    const session = createdSession(
      await service.graphql(CREATE_SESSION, { input: { agentId: 'agent-gql' } }, { userId: 'alice' }),
    );
    const update = await service.graphql(
      UPDATE_SESSION,
      writeOf(
        { id: session.id, agentId: 'agent-gql' },
        { chatModelConfig: { type: 'openai', credentialId: 'cred-bobs', model: 'gpt-5' } },
      ),
      { userId: 'alice' },
    );
    expect(update.data!.updateSession).toMatchObject({
      __typename: 'SessionReferenceNotFoundError',
      message: "Credential 'cred-bobs' not found.",
      referenceType: 'Credential',
      referenceId: 'cred-bobs',
    });
    const reread = await service.graphql(GET_SESSION, { id: session.id, agentId: 'agent-gql' }, { userId: 'alice' });
    expect(reread.data!.session).toMatchObject({ version: 1, config: { chatModelConfig: null } });
  });

  test('each owner is asked once per write, and a reference found is not asked again for a few seconds, per caller', async () => {
    agents.requests = 0;
    credentials.requests = 0;
    const body = { agent_id: 'agent-count', chat_model_config: model('cred-count') };
    expect((await service.rest('POST', '/sessions/', { body, userId: 'alice' })).status).toBe(201);
    expect([agents.requests, credentials.requests]).toEqual([1, 1]);
    expect((await service.rest('POST', '/sessions/', { body, userId: 'alice' })).status).toBe(201);
    expect((await service.rest('GET', '/sessions/?agent_id=agent-count', { userId: 'alice' })).status).toBe(200);
    expect([agents.requests, credentials.requests]).toEqual([1, 1]);
    // Another caller's answer is its own.
    expect((await service.rest('POST', '/sessions/', { body, userId: 'bob' })).status).toBe(404);
    expect(agents.requests).toBe(2);
  });

  test('an owner that cannot be reached makes the write a 503 / SERVICE_UNAVAILABLE, never an accept', async () => {
    proxy.set('refuse');
    const rest = await service.rest('POST', '/sessions/', { body: { agent_id: 'agent-fresh' }, userId: 'alice' });
    expect(rest).toMatchObject({
      status: 503,
      body: { detail: 'The agent could not be checked now (its service is unavailable); retry later.' },
    });
    expect(rest.headers.get('retry-after')).toBe('1');
    const graphql = await service.graphql(CREATE_SESSION, { input: { agentId: 'agent-fresh' } }, { userId: 'alice' });
    expect(graphql.errors).toMatchObject([{ extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
    expect((await service.rest('GET', '/sessions/?agent_id=agent-fresh', { userId: 'alice' })).status).toBe(503);
    proxy.set('forward');
    // A failure is not remembered: once the owner answers again, so does the service.
    expect(await listTotal('agent-fresh')).toBe(0);
    expect(
      (await service.rest('POST', '/sessions/', { body: { agent_id: 'agent-fresh' }, userId: 'alice' })).status,
    ).toBe(201);
    expect(
      service.logs.filter((line) => line.msg === 'the owner of agent references could not be asked').length,
    ).toBeGreaterThan(0);
  });
});

describe('with only the credentials owner configured, at a closed port', () => {
  let service: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    const closed = await listenOnLoopback(() => {});
    await closed.close();
    service = await startTestApp({ env: { CREDENTIALS_SUBGRAPH_URL: closed.url } });
  }, 60_000);

  afterAll(() => service?.close());

  test('credentials cannot be checked: a write naming one is a 503; agents are not checked at all', async () => {
    expect(
      await service.rest('POST', '/sessions/', {
        body: { agent_id: 'any-agent', chat_model_config: model('cred-own') },
      }),
    ).toMatchObject({
      status: 503,
      body: { detail: expect.stringContaining('credential') },
    });
    const created = await service.rest('POST', '/sessions/', { body: { agent_id: 'any-agent' } });
    expect(created.status).toBe(201);
    expect(
      (
        await service.rest('PATCH', `/sessions/${created.body.session_id}?agent_id=any-agent`, {
          body: { chat_model_config: model('c') },
        })
      ).status,
    ).toBe(503);
    expect((await service.rest('GET', '/sessions/?agent_id=any-agent')).body.total).toBe(1);
  });
});

describe('with an agents owner that answers with errors', () => {
  let owner: Running;
  let service: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    owner = await listenOnLoopback((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ data: null, errors: [{ message: 'Cannot query field "_entities" on type "Query".' }] }),
      );
    });
    service = await startTestApp({ env: { AGENTS_SUBGRAPH_URL: owner.url } });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await owner?.close();
  });

  test('an answer that is not an entity list is no answer: 503, nothing written', async () => {
    expect((await service.rest('POST', '/sessions/', { body: { agent_id: 'agent-1' } })).status).toBe(503);
    expect((await service.rest('GET', '/sessions/?agent_id=agent-1')).status).toBe(503);
    const { data } = await service.graphql(
      graphql(`query CountWithBrokenAgents($agentId: ID!) { sessions(agentId: $agentId) { totalCount } }`),
      { agentId: 'agent-1' },
    );
    expect(data!.sessions.totalCount).toBe(0);
  });
});

describe('with a credentials owner that never answers', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let service: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    // Connections are accepted and never answered: only the timeout ends the wait.
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 9 });
    proxy.set('blackhole');
    service = await startTestApp({
      env: { CREDENTIALS_SUBGRAPH_URL: `http://127.0.0.1:${proxy.port}/graphql`, REFERENCE_TIMEOUT_MS: '300' },
    });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await proxy?.close();
  });

  test('the wait ends at REFERENCE_TIMEOUT_MS with a 503, and nothing is written', async () => {
    const created = await service.rest('POST', '/sessions/', { body: { agent_id: 'any-agent', name: 'kept' } });
    expect(created.status).toBe(201);
    const path = `/sessions/${created.body.session_id}?agent_id=any-agent`;
    expect(
      (await service.rest('PATCH', path, { body: { name: 'changed', chat_model_config: model('c') } })).status,
    ).toBe(503);
    const { data } = await service.graphql(GET_SESSION, { id: created.body.session_id, agentId: 'any-agent' });
    expect(data!.session).toMatchObject({ version: 1, config: { name: 'kept', chatModelConfig: null } });
  });
});

describe('a caller with a bearer token', () => {
  const SECRET = 'a-secret-of-at-least-thirty-two-bytes';
  const received: Array<string | undefined> = [];
  let owner: Running;
  let service: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    const agents = createAgentsSubgraph([{ id: 'agent-1', name: 'a' }]);
    owner = await listenOnLoopback((request, response) => {
      received.push(request.headers.authorization);
      agents(request, response);
    });
    service = await startTestApp({ env: { AGENTS_SUBGRAPH_URL: owner.url, AUTH_JWT_SECRET: SECRET } });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await owner?.close();
  });

  test('is checked with the owner under its own token', async () => {
    const token = await new SignJWT({ sub: 'token-user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    const created = await service.rest('POST', '/sessions/', {
      body: { agent_id: 'agent-1' },
      userId: null,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(created.status).toBe(201);
    expect(received).toEqual([`Bearer ${token}`]);
  });
});
