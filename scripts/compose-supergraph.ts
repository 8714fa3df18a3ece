// Composes a supergraph from running subgraphs, as `rover supergraph compose` would, and prints it:
//   npx tsx scripts/compose-supergraph.ts sessions=http://127.0.0.1:4001/graphql agents=http://127.0.0.1:4002/graphql > supergraph.graphql
// Each subgraph's SDL is read from its `_service { sdl }`; a subgraph still starting is waited for (60 s).
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

async function subgraphSdl(url: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      const body = (await response.json()) as { data?: { _service: { sdl: string } } };
      if (body.data) return body.data._service.sdl;
      throw new Error(`${url} answered ${JSON.stringify(body)}`);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const services = await Promise.all(
  process.argv.slice(2).map(async (argument) => {
    const [name, url] = argument.split(/=(.*)/s) as [string, string | undefined];
    if (!url) throw new Error(`expected name=url, got "${argument}"`);
    return { name, url, typeDefs: parse(await subgraphSdl(url)) };
  }),
);
const { supergraphSdl, errors } = composeServices(services);
if (errors?.length) {
  console.error(errors.map((error) => error.message).join('\n'));
  process.exit(1);
}
process.stdout.write(supergraphSdl!);
