import { print } from 'graphql';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startTestApp, testAppConfig } from './support/fixtures.js';
import { CREATE_SESSION, FULL_STATE, GET_SESSION } from './support/documents.js';
import { createApp } from '../src/app.js';
import { pino } from 'pino';
import { createTestDatabase } from './support/databases.js';

describe('restart', () => {
  test('a restarted service finds what it stored (the embedded store lives in DATA_DIR)', async () => {
    const database = await createTestDatabase();
    try {
      const first = await createApp(testAppConfig(database.options), pino({ level: 'silent' }));
      const created = await first.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': 'restarter' },
        body: JSON.stringify({
          query: print(CREATE_SESSION),
          variables: { input: { agentId: 'a', state: FULL_STATE } },
        }),
      });
      const session = (await created.json()).data.createSession.session;
      await first.close();

      const second = await createApp(testAppConfig(database.options), pino({ level: 'silent' }));
      try {
        const read = await second.yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': 'restarter' },
          body: JSON.stringify({ query: print(GET_SESSION), variables: { id: session.id, agentId: 'a' } }),
        });
        expect((await read.json()).data.session).toEqual(session);
      } finally {
        await second.close();
      }
    } finally {
      await database.drop();
    }
  });
});

describe('unexpected errors', () => {
  test('are masked for the client and logged with the cause', async () => {
    const service = await startTestApp();
    onTestFinished(() => service.close());
    // Pull the database out from under the running service.
    await service.app.database.close();
    const { status, data, errors } = await service.graphql(
      GET_SESSION,
      { id: 'f'.repeat(32), agentId: 'a' },
      { headers: { 'x-request-id': 'req-unexpected-1' } },
    );
    expect(status).toBe(200);
    expect(data).toEqual({ session: null });
    // Queries run compiled (graphql-jit), whose errors carry no AST nodes: the masked error has the
    // path but may lack locations.
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({
      message: 'Unexpected error.',
      path: ['session'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(Object.keys(errors![0]!).sort()).toEqual(expect.arrayContaining(['extensions', 'message', 'path']));
    expect(
      Object.keys(errors![0]!).filter((key) => !['extensions', 'message', 'path', 'locations'].includes(key)),
    ).toEqual([]);
    const logged = service.logs.find((line) => line.msg === 'unexpected error while executing an operation');
    // The line names the request, so support can find it from the id the client got back.
    expect(logged).toMatchObject({
      level: 50,
      requestId: 'req-unexpected-1',
      path: ['session'],
      err: { message: expect.any(String), stack: expect.any(String) },
    });
    expect(JSON.stringify(errors)).not.toContain(logged!.err.message);
  });

  test('the health endpoints answer: /health always, /ready only with a database', async () => {
    const service = await startTestApp();
    onTestFinished(() => service.close());
    expect((await service.app.yoga.fetch('http://localhost/health')).status).toBe(200);
    expect((await service.app.yoga.fetch('http://localhost/ready')).status).toBe(200);
    await service.app.database.close();
    expect((await service.app.yoga.fetch('http://localhost/health')).status).toBe(200);
    expect((await service.app.yoga.fetch('http://localhost/ready')).status).toBe(503);
  });
});
