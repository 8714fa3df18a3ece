import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { print } from 'graphql';
import {
  CREATE_SESSION,
  createdSession,
  FULL_STATE,
  GET_SESSION,
  LIST_SESSIONS,
  REPLACE_STATE,
  UPDATE_SESSION,
} from './support/documents.js';
import { describe, expect, test, type TestApp } from './support/fixtures.js';

/*
 * A generated suite of bad requests (fast-check, seeded and bounded in count: a failure shrinks to
 * the smallest request that shows it). Whatever arrives, the service answers with a client error
 * (never 5xx, never "Unexpected error."), keeps running, and the victim's stored data does not change.
 */

const SEED = 20_261_128;
const VICTIM = 'victim';
const AGENT = 'agent-v';
const ACCEPTED_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'NOT_FOUND',
  'REQUEST_ENTITY_TOO_LARGE',
  'OPERATION_RESOLUTION_FAILURE',
]);

function nested(depth: number, leaf: unknown, asList: boolean): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = asList ? [value] : { k: value };
  return value;
}

/** A JSON value of any shape, including the nasty ones. */
const { nastyValue } = fc.letrec<{ nastyValue: unknown }>((tie) => ({
  nastyValue: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -0),
    fc.oneof(fc.nat(300), fc.constant(1_100_000)).map((length) => 'x'.repeat(length)),
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udfff tail',
      '😀',
      '\u202e',
      '%s%n',
      "'; DROP TABLE sessions; --",
      '{"$ne":null}',
    ),
    fc.constantFrom(0, 1, 5_001, 20_000).map((length) => Array.from({ length }, (_, i) => i % 10)),
    fc.tuple(fc.constantFrom(50, 1_000), fc.boolean()).map(([depth, asList]) => nested(depth, 'deep', asList)),
    tie('nastyValue').map((value) => ({ unknownField: value })),
    fc.constantFrom('USER', 'NOT_AN_ENUM', 'user', 'default'),
    fc.constantFrom('2026-13-45', 'yesterday', '9999-12-31T23:59:59Z', '0000-00-00'),
    fc.constantFrom(1, 300, 5_000).map((length) => Object.fromEntries(Array.from({ length }, (_, i) => [`k${i}`, i]))),
    fc.tuple(tie('nastyValue'), tie('nastyValue')),
    fc.constant('f'.repeat(256)),
    tie('nastyValue').map((text) => ({ text })),
  ),
}));

/** Paths to every value in a JSON tree, so a mutation can land anywhere. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const here = [at];
  if (Array.isArray(value)) return here.concat(...value.map((item, i) => paths(item, [...at, i])));
  if (value !== null && typeof value === 'object')
    return here.concat(...Object.entries(value).map(([key, item]) => paths(item, [...at, key])));
  return here;
}

function setAt(root: any, path: Array<string | number>, value: unknown) {
  let parent = root;
  for (const key of path.slice(0, -1)) parent = parent[key];
  parent[path.at(-1)!] = value;
}

const clone = <T>(value: T): T => structuredClone(value);

interface Case {
  name: string;
  body: string | Uint8Array;
  userId?: string;
  /** Invalid by construction: an answer without errors is a failure. */
  mustFail?: boolean;
}

/** A case as fast-check prints a counterexample: its name and the start of its (maybe megabytes of) body. */
function describedCase(generated: Case): Case {
  const body =
    typeof generated.body === 'string' ? generated.body : `bytes ${Buffer.from(generated.body).toString('hex')}`;
  return Object.assign(generated, {
    [fc.toStringMethod]: () => `${generated.name} (${body.length} characters): ${body.slice(0, 300)}`,
  });
}

/** Requests whose variables are structurally wrong: coercion must reject them whatever else they hold. */
function brokenVariables(sessionId: string): fc.Arbitrary<Case> {
  const requests = [
    [UPDATE_SESSION, { input: { sessionId, agentId: AGENT, name: 'changed', permissionMode: 'EXPLORE' } }, 'input'],
    [REPLACE_STATE, { input: { sessionId, agentId: AGENT, state: clone(FULL_STATE) } }, 'input'],
    [CREATE_SESSION, { input: { agentId: AGENT, name: 'new', state: clone(FULL_STATE) } }, 'input'],
  ] as const;
  return fc
    .record({
      request: fc.nat(requests.length - 1),
      changes: fc.array(fc.tuple(fc.nat(), nastyValue), { minLength: 1, maxLength: 3 }),
      replacement: fc.constantFrom(null, 5, 'state', []),
    })
    .map(({ request, changes, replacement }) => {
      const [operation, variables, root] = requests[request]!;
      const mutated: any = clone(variables);
      for (const [at, value] of changes) {
        const targets = paths(mutated[root]).slice(1);
        if (targets.length > 0) setAt(mutated[root], targets[at % targets.length]!, value);
      }
      // The guarantee: an input object never accepts an unknown field.
      if (mutated[root] !== null && typeof mutated[root] === 'object' && !Array.isArray(mutated[root]))
        mutated[root].notAField = 1;
      else mutated[root] = replacement;
      return {
        name: `broken variables for ${root}`,
        body: JSON.stringify({ query: print(operation), variables: mutated }),
        mustFail: true,
      };
    });
}

/** Type-correct requests that break a rule of the domain: BAD_USER_INPUT, nothing written. */
function ruleBreaking(sessionId: string): fc.Arbitrary<Case> {
  // Each gets the state, its first two messages as they were before any violation replaced the list
  // that holds them, and a number to choose a variant with.
  const violations: Array<(state: any, first: any, second: any, variant: number) => void> = [
    (state) => (state.summary = { text: 's'.repeat(1_000_001) }),
    (state) => (state.context = Array.from({ length: 5_001 }, () => ({ name: 'n', role: 'USER', content: [] }))),
    (_, first) => (first.content = Array.from({ length: 501 }, () => ({ text: { text: 't' } }))),
    (state) => state.tasksContext.tasks.push({ ...state.tasksContext.tasks[0] }),
    (state) => (state.tasksContext.tasks[1].blockedBy = ['no-such-task']),
    (_, first) => (first.metadata = { blob: 'b'.repeat(70_000) }),
    (_, first, __, variant) => (first.metadata = [[1, 2], 'text', 7][variant % 3]),
    (state, _, __, variant) => (state.toolContext.maxCacheFiles = [1, 0, -5][variant % 3]),
    (_, first, __, variant) => (first.id = ['', 'i'.repeat(256)][variant % 2]),
    (_, __, second, variant) => (second.content[0].thinking.thinking = ['\u0000', 'a\ud800'][variant % 2]),
    (_, first) => (first.metadata = { 'key\u0000': 1 }),
    (state) => (state.toolContext.readFileCache[0].lines = ['ok', 'nul\u0000']),
    (state) =>
      (state.permissionContext.workingDirectories = Array.from({ length: 201 }, (_, i) => ({
        path: `/p${i}`,
        source: 's',
      }))),
  ];
  return fc
    .tuple(fc.uniqueArray(fc.nat(violations.length - 1), { minLength: 1, maxLength: 3 }), fc.nat(5))
    .map(([chosen, variant]) => {
      const state: any = clone(FULL_STATE);
      const [first, second] = state.context;
      for (const index of chosen) violations[index]!(state, first, second, variant);
      return {
        name: `rule-breaking state (${chosen.join(',')})`,
        body: JSON.stringify({
          query: print(REPLACE_STATE),
          variables: { input: { sessionId, agentId: AGENT, state } },
        }),
        mustFail: true,
      };
    });
}

/** Documents built to exhaust the server: deep, wide, aliased, directive-heavy, cyclic, oversized. */
const abusiveDocument: fc.Arbitrary<Case> = (() => {
  const documents: Array<(size: number) => string> = [
    (size) =>
      `{ sessions(agentId: "a") { edges { node { state { context { ${'content { __typename '.repeat(size / 10)}${'} '.repeat(size / 10)} } } } } } }`,
    (size) => `{ ${'a { '.repeat(size)}b${' }'.repeat(size)} }`,
    (size) => `{ ${Array.from({ length: size }, (_, i) => `f${i}: sessions(agentId: "a") { totalCount }`).join(' ')} }`,
    (size) => `{ sessions(agentId: "a") { totalCount ${'@include(if: true) '.repeat(size)} } }`,
    () => '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }',
    (size) => `{ session(id: "${'x'.repeat(size * 1_000)}", agentId: "a") { id } }`,
    (size) => `query Q(${Array.from({ length: size }, (_, i) => `$v${i}: Int`).join(' ')}) { __typename }`,
    (size) => `{ sessions(agentId: ${'['.repeat(size)}"a"${']'.repeat(size)}) { totalCount } }`,
    (size) =>
      `mutation { ${Array.from({ length: Math.min(size, 200) }, (_, i) => `d${i}: deleteSession(input: { sessionId: "x", agentId: "a" }) { __typename }`).join(' ')} }`,
  ];
  return fc.tuple(fc.nat(documents.length - 1), fc.constantFrom(10, 100, 1_000, 5_000)).map(([index, size]) => ({
    name: `abusive document ${index} (${size})`,
    body: JSON.stringify({ query: documents[index]!(size) }),
  }));
})();

/** Bodies that are not a GraphQL request at all, sent by a stranger: whatever they do, the victim's data stays. */
const garbageBody: fc.Arbitrary<Case> = (() => {
  const valid = JSON.stringify({ query: print(GET_SESSION), variables: { id: 'f'.repeat(32), agentId: AGENT } });
  const encode = (text: string) => new TextEncoder().encode(text);
  const bodies: Array<fc.Arbitrary<string | Uint8Array>> = [
    fc.uint8Array({ maxLength: 2_000 }),
    fc.nat(valid.length).map((length) => valid.slice(0, length)),
    nastyValue.map((value) => JSON.stringify(value)),
    fc
      .record({ query: nastyValue, variables: nastyValue, operationName: nastyValue, extensions: nastyValue })
      .map((request) => JSON.stringify(request)),
    fc.nat(9).map((n) => JSON.stringify({ query: '{ __typename }', [`unknown${n}`]: 1 })),
    fc.constant(
      new Uint8Array([
        ...encode('{"query":"{ __typename }","operationName":"'),
        0xff,
        0xfe,
        0xc3,
        0x28,
        ...encode('"}'),
      ]),
    ),
    fc.constant('['.repeat(100_000) + ']'.repeat(100_000)),
    fc
      .constantFrom(0, 3, 50)
      .chain((length) => fc.array(nastyValue, { minLength: length, maxLength: length }))
      .map((batch) => JSON.stringify(batch)),
    fc.constant(`{"query": "{ __typename }", "variables": ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`),
    // Nesting far deeper than JSON.stringify can recurse, where validation serialises it.
    fc.boolean().map((asList) => {
      const deep = asList
        ? `${'['.repeat(30_000)}${']'.repeat(30_000)}`
        : `${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}`;
      return `{"query": ${JSON.stringify(print(REPLACE_STATE))}, "variables": {"input": {"sessionId": "x", "agentId": "${AGENT}", "state": {"context": [{"name": "n", "role": "USER", "content": [], "metadata": {"deep": ${deep}}}]}}}}`;
    }),
  ];
  return fc.oneof(
    ...bodies.map((body, index) =>
      body.map((generated) => ({ name: `garbage body ${index}`, body: generated, userId: 'stranger' })),
    ),
  );
})();

/** Heap in use after a full collection: what the service retains, not what it has yet to free. */
function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

async function send(service: TestApp, { body, userId = VICTIM }: Case) {
  const response = await service.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': userId },
    body,
  });
  const text = await response.text();
  return { status: response.status, text };
}

async function snapshot(service: TestApp, sessionId: string) {
  const session = (await service.graphql(GET_SESSION, { id: sessionId, agentId: AGENT }, { userId: VICTIM })).data!
    .session;
  const list = (await service.graphql(LIST_SESSIONS, { agentId: AGENT }, { userId: VICTIM })).data!.sessions;
  return { session, list };
}

describe('generated bad input', () => {
  test('never a 5xx or an unexpected error, never a change to stored data, memory stays bounded', async ({
    service,
  }) => {
    const created = createdSession(
      await service.graphql(
        CREATE_SESSION,
        { input: { agentId: AGENT, name: 'victim', state: FULL_STATE } },
        { userId: VICTIM },
      ),
    );
    const before = await snapshot(service, created.id);
    const requests = fc
      .oneof(brokenVariables(created.id), ruleBreaking(created.id), abusiveDocument, garbageBody)
      .map(describedCase);
    const heapBefore = retainedHeap();
    const answersWithClientError = async (generated: Case) => {
      const { status, text } = await send(service, generated);
      const parsed = JSON.parse(text);
      const errors: any[] = (Array.isArray(parsed) ? parsed : [parsed]).flatMap((result) => result?.errors ?? []);
      expect(status).toBeLessThan(500);
      expect(errors.map((error) => error.extensions?.code).filter((code) => !ACCEPTED_CODES.has(code))).toEqual([]);
      // Refused either as an error or, for a mutation's expected failures, as a typed failure result.
      const typedFailures = (Array.isArray(parsed) ? parsed : [parsed]).flatMap((result) =>
        Object.values(result?.data ?? {}).filter((field: any) => field?.__typename === 'SessionInvalidInputError'),
      );
      if (generated.mustFail) expect([...errors, ...typedFailures]).not.toEqual([]);
    };
    await fc.assert(fc.asyncProperty(requests, answersWithClientError), { seed: SEED, numRuns: 400 });
    expect(await snapshot(service, created.id)).toEqual(before);
    expect((await service.app.yoga.fetch('http://localhost/health')).status).toBe(200);
    expect(
      service.logs
        .filter((line) => line.msg === 'unexpected error while executing an operation')
        .map((line) => line.err.stack.slice(0, 600)),
    ).toEqual([]);
    // Bounded: after hundreds of requests carrying megabytes each, almost nothing is retained (the
    // test's own copy of the logs aside).
    service.logs.length = 0;
    expect(retainedHeap() - heapBefore).toBeLessThan(32 * 1024 * 1024);
  }, 180_000);
});

describe('large distinct documents', () => {
  test('are not all kept by the parse cache', async ({ service }) => {
    const heapBefore = retainedHeap();
    for (let n = 0; n < 40; n++) {
      // A valid document (it parses and is cached) carrying 1 MB of its own.
      const query = `{ session(id: "${String(n).padEnd(1_000_000, 'x')}", agentId: "a") { id } }`;
      const { status } = await send(service, { name: 'large document', body: JSON.stringify({ query }) });
      expect(status).toBe(200);
    }
    service.logs.length = 0;
    // 40 documents of 1 MB; the cache holds at most 4 M characters of them.
    expect(retainedHeap() - heapBefore).toBeLessThan(20 * 1024 * 1024);
  });
});
