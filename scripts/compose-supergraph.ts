// Composes a supergraph, as `rover supergraph compose` would, and prints it:
//   npx tsx scripts/compose-supergraph.ts sessions=http://127.0.0.1:4001/graphql agents=http://127.0.0.1:4002/graphql --sdl sessions=schema.graphql > supergraph.graphql
// Each subgraph's SDL is read from its `_service { sdl }`, or from the file `--sdl name=path` names:
// a production subgraph answers `_service` only to an authenticated caller, and its checked-in SDL
// is what a platform composes from anyway. Either way a subgraph still starting is waited for (60 s).
import { composeServices } from '@apollo/composition';
import { readFileSync } from 'node:fs';
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

/** Waits (60 s) until the subgraph answers at all, so the gateway started next can reach it. */
async function answering(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(new URL('/health', url));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const sdlFiles = new Map<string, string>();
const subgraphs: Array<{ name: string; url: string }> = [];
for (let index = 2; index < process.argv.length; index++) {
  const sdlFile = process.argv[index] === '--sdl';
  const argument = sdlFile ? process.argv[++index] : process.argv[index];
  const [name, value] = (argument ?? '').split(/=(.*)/s) as [string, string | undefined];
  if (!value) throw new Error(`expected ${sdlFile ? '--sdl name=path' : 'name=url'}, got "${argument}"`);
  if (sdlFile) sdlFiles.set(name, value);
  else subgraphs.push({ name, url: value });
}
const services = await Promise.all(
  subgraphs.map(async ({ name, url }) => {
    const file = sdlFiles.get(name);
    if (file) await answering(url);
    return { name, url, typeDefs: parse(file ? readFileSync(file, 'utf8') : await subgraphSdl(url)) };
  }),
);
const { supergraphSdl, errors } = composeServices(services);
if (errors?.length) {
  console.error(errors.map((error) => error.message).join('\n'));
  process.exit(1);
}
process.stdout.write(supergraphSdl!);
