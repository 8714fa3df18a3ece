// The floor: the nested session list served by hand-written SQL and JSON.stringify, no GraphQL.
// It answers the same data as NESTED_LIST, so the ratio service/floor prices the GraphQL layer.
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const port = Number(process.env.PORT ?? 4100);

interface Row {
  [column: string]: any;
}

async function nestedList(userId: string, agentId: string, first: number) {
  const sessions = (
    await pool.query<Row>(
      `SELECT id, user_id, agent_id, version, source, created_at, updated_at, workspace_id, name, chat_model_config
         FROM sessions WHERE user_id = $1 AND agent_id = $2 ORDER BY updated_at DESC, id DESC LIMIT $3`,
      [userId, agentId, first + 1],
    )
  ).rows;
  const page = sessions.slice(0, first);
  const ids = page.map((session) => session.id);
  const [states, context, tasks] = await Promise.all([
    pool.query<Row>('SELECT * FROM agent_states WHERE session_id = ANY($1)', [ids]),
    pool.query<Row>(
      `SELECT m.* FROM unnest($1::varchar[]) AS s(id)
        CROSS JOIN LATERAL (SELECT * FROM messages WHERE session_id = s.id AND in_context ORDER BY seq DESC LIMIT 20) m
        ORDER BY m.session_id, m.seq`,
      [ids],
    ),
    pool.query<Row>('SELECT * FROM tasks WHERE session_id = ANY($1) ORDER BY session_id, position', [ids]),
  ]);
  const stateOf = new Map(states.rows.map((row) => [row.session_id, row]));
  const group = (rows: Row[]) => {
    const groups = new Map<string, Row[]>();
    for (const row of rows) groups.set(row.session_id, [...(groups.get(row.session_id) ?? []), row]);
    return groups;
  };
  const contextOf = group(context.rows);
  const tasksOf = group(tasks.rows);
  return {
    data: {
      sessions: {
        pageInfo: { hasNextPage: sessions.length > first, endCursor: null },
        edges: page.map((session) => {
          const state = stateOf.get(session.id)!;
          return {
            node: {
              id: session.id,
              userId: session.user_id,
              agentId: session.agent_id,
              version: session.version,
              source: session.source.toUpperCase(),
              createdAt: session.created_at.toISOString(),
              updatedAt: session.updated_at.toISOString(),
              config: { workspaceId: session.workspace_id, name: session.name, chatModelConfig: session.chat_model_config },
              state: {
                replyId: state.reply_id,
                curIter: state.cur_iter,
                summary: typeof state.summary === 'string' ? { __typename: 'PlainText', text: state.summary } : { __typename: 'BlockList', blocks: state.summary },
                permissionContext: { mode: state.permission_mode.toUpperCase(), workingDirectories: state.working_directories, allowRules: state.allow_rules },
                toolContext: { maxCacheFiles: state.max_cache_files, maxCacheBytes: state.max_cache_bytes, activatedGroups: state.activated_groups },
                context: (contextOf.get(session.id) ?? []).map((message) => ({
                  id: message.id,
                  name: message.name,
                  role: message.role.toUpperCase(),
                  createdAt: message.created_at,
                  usage: message.usage,
                  content: message.content,
                })),
                tasksContext: {
                  tasks: (tasksOf.get(session.id) ?? []).map((task) => ({
                    id: task.id,
                    subject: task.subject,
                    description: task.description,
                    state: task.state.toUpperCase(),
                    owner: task.owner,
                    blocks: task.blocks,
                    blockedBy: task.blocked_by,
                  })),
                },
              },
            },
          };
        }),
      },
    },
  };
}

createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') return response.writeHead(200).end();
  const userId = request.headers['x-user-id'];
  if (typeof userId !== 'string') return response.writeHead(401).end();
  const body = JSON.stringify(await nestedList(userId, url.searchParams.get('agentId') ?? '', Number(url.searchParams.get('first') ?? 50)));
  response.writeHead(200, { 'content-type': 'application/json' }).end(body);
}).listen(port, '127.0.0.1', () => console.log(`floor listening on ${port}`));
