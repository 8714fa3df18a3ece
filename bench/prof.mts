import autocannon from 'autocannon';
import { NESTED_LIST } from './queries.js';
const body = JSON.stringify({ query: NESTED_LIST, variables: { agentId: 'bench-agent', first: 50 } });
const probe = await fetch('http://127.0.0.1:4401/graphql', {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-user-id': 'bench-user' },
  body,
});
const text = await probe.text();
console.log(probe.status, text.length, text.slice(0, 150));
const r = await autocannon({
  url: 'http://127.0.0.1:4401/graphql',
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-user-id': 'bench-user' },
  body,
  connections: 10,
  duration: 10,
});
console.log(r.requests.average, r.latency.p50, r.non2xx, r.errors);
