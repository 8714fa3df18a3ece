import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CREATE_SESSION, FULL_STATE, GET_SESSION, LIST_SESSIONS, REPLACE_STATE, UPDATE_SESSION } from './support/documents.js';
import { describe, expect, test, type TestApp } from './support/fixtures.js';
import { randomSource, type Random } from './support/random.js';

/*
 * A generated suite of bad requests, deterministic (seeded) and bounded in count. Whatever arrives,
 * the service answers with a client error (never 5xx, never "Unexpected error."), keeps running,
 * and the victim's stored data does not change.
 */

const SEED = 20_261_128;
const VICTIM = 'victim';
const AGENT = 'agent-v';
const ACCEPTED_CODES = new Set(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'UNAUTHENTICATED', 'NOT_FOUND', 'REQUEST_ENTITY_TOO_LARGE', 'OPERATION_RESOLUTION_FAILURE']);


function nested(depth: number, leaf: unknown, asList: boolean): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = asList ? [value] : { k: value };
  return value;
}

/** A JSON value of any shape, including the nasty ones. */
function randomValue(random: Random): unknown {
  switch (random.int(14)) {
    case 0: return null;
    case 1: return random.pick([true, false]);
    case 2: return random.pick([0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -0]);
    case 3: return 'x'.repeat(random.int(3) === 0 ? 1_100_000 : random.int(300));
    case 4: return random.pick(['', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff tail', '😀', '\u202e', '%s%n', "'; DROP TABLE sessions; --", '{"$ne":null}']);
    case 5: return Array.from({ length: random.pick([0, 1, 5_001, 20_000]) }, () => random.int(10));
    case 6: return nested(random.pick([50, 1_000]), 'deep', random.next() < 0.5);
    case 7: return { unknownField: randomValue(random) };
    case 8: return random.pick(['USER', 'NOT_AN_ENUM', 'user', 'default']);
    case 9: return random.pick(['2026-13-45', 'yesterday', '9999-12-31T23:59:59Z', '0000-00-00']);
    case 10: return Object.fromEntries(Array.from({ length: random.pick([1, 300, 5_000]) }, (_, i) => [`k${i}`, i]));
    case 11: return [randomValue(random), randomValue(random)];
    case 12: return 'f'.repeat(256);
    default: return { text: randomValue(random) };
  }
}

/** Paths to every value in a JSON tree, so a mutation can land anywhere. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const here = [at];
  if (Array.isArray(value)) return here.concat(...value.map((item, i) => paths(item, [...at, i])));
  if (value !== null && typeof value === 'object') return here.concat(...Object.entries(value).map(([key, item]) => paths(item, [...at, key])));
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

/** Requests whose variables are structurally wrong: coercion must reject them whatever else they hold. */
function brokenVariables(random: Random, sessionId: string): Case {
  const [operation, variables, root] = random.pick([
    [UPDATE_SESSION, { input: { sessionId, agentId: AGENT, name: 'changed', permissionMode: 'EXPLORE' } }, 'input'],
    [REPLACE_STATE, { input: { sessionId, agentId: AGENT, state: clone(FULL_STATE) } }, 'input'],
    [CREATE_SESSION, { input: { agentId: AGENT, name: 'new', state: clone(FULL_STATE) } }, 'input'],
  ] as const);
  const mutated: any = clone(variables);
  for (let n = 1 + random.int(3); n > 0; n--) {
    const target = random.pick(paths(mutated[root]).slice(1));
    if (target) setAt(mutated[root], target, randomValue(random));
  }
  // The guarantee: an input object never accepts an unknown field.
  if (mutated[root] !== null && typeof mutated[root] === 'object' && !Array.isArray(mutated[root])) mutated[root].notAField = 1;
  else mutated[root] = random.pick([null, 5, 'state', []]);
  return { name: `broken variables for ${root}`, body: JSON.stringify({ query: operation, variables: mutated }), mustFail: true };
}

/** Type-correct requests that break a rule of the domain: BAD_USER_INPUT, nothing written. */
function ruleBreaking(random: Random, sessionId: string): Case {
  const state: any = clone(FULL_STATE);
  // Taken before any violation replaces the lists that hold them.
  const [firstMessage, secondMessage] = state.context;
  const violations: Array<() => void> = [
    () => (state.summary = { text: 's'.repeat(1_000_001) }),
    () => (state.context = Array.from({ length: 5_001 }, () => ({ name: 'n', role: 'USER', content: [] }))),
    () => (firstMessage.content = Array.from({ length: 501 }, () => ({ text: { text: 't' } }))),
    () => state.tasksContext.tasks.push({ ...state.tasksContext.tasks[0] }),
    () => (state.tasksContext.tasks[1].blockedBy = ['no-such-task']),
    () => (firstMessage.metadata = { blob: 'b'.repeat(70_000) }),
    () => (firstMessage.metadata = random.pick([[1, 2], 'text', 7])),
    () => (state.toolContext.maxCacheFiles = random.pick([1, 0, -5])),
    () => (firstMessage.id = random.pick(['', 'i'.repeat(256)])),
    () => (secondMessage.content[0].thinking.thinking = random.pick(['\u0000', 'a\ud800'])),
    () => (firstMessage.metadata = { ['key\u0000']: 1 }),
    () => (state.toolContext.readFileCache[0].lines = ['ok', 'nul\u0000']),
    () => (state.permissionContext.workingDirectories = Array.from({ length: 201 }, (_, i) => ({ path: `/p${i}`, source: 's' }))),
  ];
  const chosen = new Set(Array.from({ length: 1 + random.int(3) }, () => random.int(violations.length)));
  for (const index of chosen) violations[index]!();
  return { name: `rule-breaking state (${[...chosen].join(',')})`, body: JSON.stringify({ query: REPLACE_STATE, variables: { id: sessionId, agentId: AGENT, state } }), mustFail: true };
}

/** Documents built to exhaust the server: deep, wide, aliased, directive-heavy, cyclic, oversized. */
function abusiveDocument(random: Random): Case {
  const size = random.pick([10, 100, 1_000, 5_000]);
  const documents = [
    () => `{ ${'sessions(agentId: "a") { edges { node { state { context { '.repeat(1)}${'content { __typename '.repeat(size / 10)}${'} '.repeat(size / 10)} } } } } } }`,
    () => `{ ${'a { '.repeat(size)}b${' }'.repeat(size)} }`,
    () => `{ ${Array.from({ length: size }, (_, i) => `f${i}: sessions(agentId: "a") { totalCount }`).join(' ')} }`,
    () => `{ sessions(agentId: "a") { totalCount ${'@include(if: true) '.repeat(size)} } }`,
    () => '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }',
    () => `{ session(id: "${'x'.repeat(size * 1_000)}", agentId: "a") { id } }`,
    () => `query Q(${Array.from({ length: size }, (_, i) => `$v${i}: Int`).join(' ')}) { __typename }`,
    () => `{ sessions(agentId: ${'['.repeat(size)}"a"${']'.repeat(size)}) { totalCount } }`,
    () => `mutation { ${Array.from({ length: Math.min(size, 200) }, (_, i) => `d${i}: deleteSession(input: { sessionId: "x", agentId: "a" }) { __typename }`).join(' ')} }`,
  ];
  const index = random.int(documents.length);
  return { name: `abusive document ${index} (${size})`, body: JSON.stringify({ query: documents[index]!() }) };
}

/** Bodies that are not a GraphQL request at all. */
function garbageBody(random: Random): Case {
  const valid = JSON.stringify({ query: GET_SESSION, variables: { id: 'f'.repeat(32), agentId: AGENT } });
  const bodies: Array<() => string | Uint8Array> = [
    () => Uint8Array.from({ length: random.int(2_000) }, () => random.int(256)),
    () => valid.slice(0, random.int(valid.length)),
    () => JSON.stringify(randomValue(random)),
    () => JSON.stringify({ query: randomValue(random), variables: randomValue(random), operationName: randomValue(random), extensions: randomValue(random) }),
    () => JSON.stringify({ query: '{ __typename }', [`unknown${random.int(9)}`]: 1 }),
    () => new Uint8Array([...new TextEncoder().encode('{"query":"{ __typename }","operationName":"'), 0xff, 0xfe, 0xc3, 0x28, ...new TextEncoder().encode('"}')]),
    () => '['.repeat(100_000) + ']'.repeat(100_000),
    () => JSON.stringify(Array.from({ length: random.pick([0, 3, 50]) }, () => randomValue(random))),
    () => `{"query": "{ __typename }", "variables": ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
    // Nesting far deeper than JSON.stringify can recurse, where validation serialises it.
    () => {
      const deep = random.next() < 0.5 ? `${'['.repeat(30_000)}${']'.repeat(30_000)}` : `${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}`;
      return `{"query": ${JSON.stringify(REPLACE_STATE)}, "variables": {"id": "x", "agentId": "${AGENT}", "state": {"context": [{"name": "n", "role": "USER", "content": [], "metadata": {"deep": ${deep}}}]}}}`;
    },
  ];
  const index = random.int(bodies.length);
  // Sent as a stranger: whatever it manages to do, it cannot touch the victim's data.
  return { name: `garbage body ${index}`, body: bodies[index]!(), userId: 'stranger' };
}

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
  const session = (await service.graphql(GET_SESSION, { id: sessionId, agentId: AGENT }, { userId: VICTIM })).data.session;
  const list = (await service.graphql(LIST_SESSIONS, { agentId: AGENT }, { userId: VICTIM })).data.sessions;
  return { session, list };
}

describe('generated bad input', () => {
  test('never a 5xx or an unexpected error, never a change to stored data, memory stays bounded', async ({ service }) => {
    const created = (await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, name: 'victim', state: FULL_STATE } }, { userId: VICTIM })).data.createSession.session;
    const before = await snapshot(service, created.id);
    const random = randomSource(SEED);
    const generators = [() => brokenVariables(random, created.id), () => ruleBreaking(random, created.id), () => abusiveDocument(random), () => garbageBody(random)];
    const heapBefore = retainedHeap();
    const failures: string[] = [];
    for (let n = 0; n < 400; n++) {
      const generated = generators[n % generators.length]!();
      const { status, text } = await send(service, generated);
      let parsed: any;
      try {
        parsed = JSON.parse(text);
      } catch {
        failures.push(`${generated.name}: not JSON (${status}): ${text.slice(0, 120)}`);
        continue;
      }
      const errors: any[] = (Array.isArray(parsed) ? parsed : [parsed]).flatMap((result) => result?.errors ?? []);
      const codes = errors.map((error) => error.extensions?.code);
      if (status >= 500 || codes.some((code) => !ACCEPTED_CODES.has(code)) || (generated.mustFail && errors.length === 0)) {
        failures.push(`${generated.name}: ${status} ${JSON.stringify([...new Set(codes)])} ${errors[0]?.message?.slice(0, 160) ?? text.slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot(service, created.id)).toEqual(before);
    expect((await service.app.yoga.fetch('http://localhost/health')).status).toBe(200);
    expect(service.logs.filter((line) => line.msg === 'unexpected error while executing an operation').map((line) => line.err.stack.slice(0, 600))).toEqual([]);
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
