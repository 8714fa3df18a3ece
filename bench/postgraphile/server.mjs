// PostGraphile 5 (amber preset, Grafast) over the benchmark database, as a third system beside the
// service and the raw-SQL floor. Run by `npm run bench` on the Node 22 binary of this folder.
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const port = Number(process.env.PORT ?? 4203);
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ['public', 'postgraphile_bench'],
      poolConfig: { max: Number(process.env.DATABASE_POOL_SIZE ?? 10) },
    }),
  ],
  grafserv: { port, graphiqlOnGraphQLGET: false, graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const graphql = serv.createHandler();
// The bench waits for /health before loading; everything else is PostGraphile's.
const server = createServer((request, response) =>
  request.url === '/health' ? response.writeHead(200).end() : graphql(request, response),
);
server.listen(port, '127.0.0.1', () => console.log(`postgraphile listening on ${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => pgl.release().then(() => process.exit(0)));
