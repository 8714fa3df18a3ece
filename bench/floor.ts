// The floor: every benchmark scenario served by hand-written SQL and JSON.stringify, no GraphQL.
// Each route answers the same rows as the service's operation (scoped to the caller, as the service
// is), so the ratio service/floor prices everything the service adds on top of the SQL.
import { createServer, type IncomingMessage } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
});
const port = Number(process.env.PORT ?? 4100);

interface Row {
  [column: string]: any;
}

const MESSAGE_COLUMNS = 'session_id, seq, id, name, role, content, metadata, created_at, finished_at, usage';

const group = (rows: Row[]) => {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const members = groups.get(row.session_id);
    if (members) members.push(row);
    else groups.set(row.session_id, [row]);
  }
  return groups;
};

const message = (row: Row) => ({
  id: row.id,
  name: row.name,
  role: row.role.toUpperCase(),
  createdAt: row.created_at,
  usage: row.usage,
  content: row.content,
});

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
        CROSS JOIN LATERAL (SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = s.id AND in_context ORDER BY seq DESC LIMIT 20) m
        ORDER BY m.session_id, m.seq`,
      [ids],
    ),
    pool.query<Row>('SELECT * FROM tasks WHERE session_id = ANY($1) ORDER BY session_id, position', [ids]),
  ]);
  const stateOf = new Map(states.rows.map((row) => [row.session_id, row]));
  const contextOf = group(context.rows);
  const tasksOf = group(tasks.rows);
  return {
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
            config: {
              workspaceId: session.workspace_id,
              name: session.name,
              chatModelConfig: session.chat_model_config,
            },
            state: {
              replyId: state.reply_id,
              curIter: state.cur_iter,
              summary:
                typeof state.summary === 'string'
                  ? { __typename: 'PlainText', text: state.summary }
                  : { __typename: 'BlockList', blocks: state.summary },
              permissionContext: {
                mode: state.permission_mode.toUpperCase(),
                workingDirectories: state.working_directories,
                allowRules: state.allow_rules,
              },
              toolContext: {
                maxCacheFiles: state.max_cache_files,
                maxCacheBytes: state.max_cache_bytes,
                activatedGroups: state.activated_groups,
              },
              context: (contextOf.get(session.id) ?? []).map(message),
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
  };
}

/** A page of 20 sessions, newest first, after an optional (updatedAt, id) keyset bound. */
async function sessionsPage(userId: string, agentId: string, afterUpdatedAt: string | null, afterId: string | null) {
  const rows = (
    await pool.query<Row>(
      `SELECT id, version, updated_at, name FROM sessions
        WHERE user_id = $1 AND agent_id = $2 AND ($3::timestamptz IS NULL OR (updated_at, id) < ($3::timestamptz, $4::varchar))
        ORDER BY updated_at DESC, id DESC LIMIT 20`,
      [userId, agentId, afterUpdatedAt, afterId],
    )
  ).rows;
  return {
    sessions: {
      edges: rows.map((row) => ({
        cursor: `${row.updated_at.toISOString()}/${row.id}`,
        node: { id: row.id, version: row.version, updatedAt: row.updated_at.toISOString(), config: { name: row.name } },
      })),
    },
  };
}

/** A window of the history after message `afterSeq`, scoped to the caller's session, in one statement. */
async function historyPage(userId: string, agentId: string, sessionId: string, afterSeq: number, first: number) {
  const rows = (
    await pool.query<Row>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
        WHERE session_id = (SELECT id FROM sessions WHERE id = $1 AND user_id = $2 AND agent_id = $3)
          AND (session_id, seq) > ($1, $4) ORDER BY session_id, seq LIMIT $5`,
      [sessionId, userId, agentId, afterSeq, first + 1],
    )
  ).rows;
  const page = rows.slice(0, first);
  return {
    session: {
      messages: {
        pageInfo: { hasNextPage: rows.length > first, endCursor: page.at(-1)?.seq ?? null },
        edges: page.map((row) => ({
          node: {
            id: row.id,
            name: row.name,
            role: row.role.toUpperCase(),
            createdAt: row.created_at,
            content: row.content,
          },
        })),
      },
    },
  };
}

/** Renames the session and bumps its version: one statement, the ownership check in the WHERE. */
async function updateSession(userId: string, agentId: string, sessionId: string, name: string) {
  const [row] = (
    await pool.query<Row>(
      'UPDATE sessions SET name = $4, version = version + 1, updated_at = now() WHERE id = $1 AND user_id = $2 AND agent_id = $3 RETURNING id, version',
      [sessionId, userId, agentId, name],
    )
  ).rows;
  return { updateSession: row ?? null };
}

/**
 * Appends messages after the last one. The version bump locks the session row and takes the messages'
 * sequence numbers from its `last_seq` (counting them into `context_size`): BEGIN, UPDATE, INSERT, COMMIT.
 */
async function appendMessages(userId: string, agentId: string, sessionId: string, messages: Row[]) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const [session] = (
      await client.query<Row>(
        `UPDATE sessions SET version = version + 1, updated_at = now(), last_seq = last_seq + $4, context_size = context_size + $4
         WHERE id = $1 AND user_id = $2 AND agent_id = $3 RETURNING id, version, last_seq - $4 AS "seqBefore"`,
        [sessionId, userId, agentId, messages.length],
      )
    ).rows;
    if (!session) {
      await client.query('ROLLBACK');
      return { appendMessages: null };
    }
    await client.query(
      `INSERT INTO messages (session_id, seq, id, name, role, content, metadata, created_at, in_context)
       SELECT $1, $3::int + m.ordinality, gen_random_uuid()::text, m.value->>'name', (m.value->>'role')::message_role, m.value->'content', '{}', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), true
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY m`,
      [sessionId, JSON.stringify(messages), session.seqBefore],
    );
    await client.query('COMMIT');
    const { seqBefore: _, ...appended } = session;
    return { appendMessages: appended };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function readBody(request: IncomingMessage): Promise<any> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text ? JSON.parse(text) : {};
}

createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') return response.writeHead(200).end();
  const userId = request.headers['x-user-id'];
  if (typeof userId !== 'string') return response.writeHead(401).end();
  const parameter = (name: string) => url.searchParams.get(name) ?? '';
  const agentId = parameter('agentId');
  try {
    let data: unknown;
    if (url.pathname === '/list') data = await nestedList(userId, agentId, Number(parameter('first') || 50));
    else if (url.pathname === '/sessions')
      data = await sessionsPage(
        userId,
        agentId,
        url.searchParams.get('afterUpdatedAt'),
        url.searchParams.get('afterId'),
      );
    else if (url.pathname === '/history')
      data = await historyPage(
        userId,
        agentId,
        parameter('id'),
        Number(parameter('afterSeq') || 0),
        Number(parameter('first') || 200),
      );
    else if (url.pathname === '/update')
      data = await updateSession(userId, agentId, parameter('id'), (await readBody(request)).name);
    else if (url.pathname === '/append')
      data = await appendMessages(userId, agentId, parameter('id'), (await readBody(request)).messages);
    else return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
  } catch (error) {
    console.error(error);
    response.writeHead(500).end();
  }
}).listen(port, '127.0.0.1', () => console.log(`floor listening on ${port}`));
