// A stand-in agents subgraph for trying the supergraph by hand (README, "Run it behind a gateway"):
// the one the tests use, with two agents, on 127.0.0.1:$PORT (default 4002).
import { createServer } from 'node:http';
import { createAgentsSubgraph } from '../test/support/agents-subgraph.js';

const port = Number(process.env.PORT ?? 4002);
createServer(
  createAgentsSubgraph([
    { id: 'agent-1', name: 'Researcher' },
    { id: 'agent-2', name: 'Writer' },
  ]),
).listen(port, '127.0.0.1', () => console.log(`agents subgraph on http://127.0.0.1:${port}/graphql`));
