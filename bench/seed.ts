import pg from 'pg';

/** The shape of the data set; every number can be raised to upstream scale through the environment. */
export interface SeedOptions {
  /** Sessions of the one (user, agent) the list benchmarks page through. */
  listedSessions: number;
  /** Further sessions spread over other users and agents (they share the tables and indexes). */
  otherSessions: number;
  /** Messages per session: uniformly between these. */
  messagesMin: number;
  messagesMax: number;
  /** Sessions with a long history, for the history paging benchmark. */
  longSessions: number;
  longMessages: number;
  /** Messages of the session after the long ones: the short history the first-page cost is compared with. */
  shortMessages: number;
  tasksMax: number;
}

export const DEFAULT_SEED: SeedOptions = {
  listedSessions: 10_000,
  otherSessions: 10_000,
  messagesMin: 20,
  messagesMax: 60,
  longSessions: 3,
  longMessages: 10_000,
  shortMessages: 100,
  tasksMax: 50,
};

export const LISTED_USER = 'bench-user';
export const LISTED_AGENT = 'bench-agent';

/**
 * Fills a migrated database on the server side (generate_series), so millions of rows take seconds.
 * Messages mix every content block kind; tasks link to their predecessors.
 */
export async function seed(
  url: string,
  options: SeedOptions,
): Promise<{ sessions: number; messages: number; tasks: number; longSessionIds: string[]; shortSessionId: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO sessions (id, user_id, agent_id, workspace_id, name, chat_model_config, source, version, created_at, updated_at)
       SELECT md5('s' || g), CASE WHEN g <= $1::int THEN $3::text ELSE 'user-' || (g % 50) END, CASE WHEN g <= $1::int THEN $4::text ELSE 'agent-' || (g % 7) END,
              'ws-' || (g % 20), 'Session ' || g,
              jsonb_build_object('type', 'openai', 'credentialId', 'cred-' || (g % 5), 'model', 'gpt-5', 'parameters', jsonb_build_object('temperature', 0.2)),
              (CASE WHEN g % 10 = 0 THEN 'schedule' ELSE 'user' END)::session_source, 1 + g % 5,
              now() - make_interval(secs => g * 60), now() - make_interval(secs => g * 30)
         FROM generate_series(1, $1::int + $2::int) AS g`,
      [options.listedSessions, options.otherSessions, LISTED_USER, LISTED_AGENT],
    );
    await client.query(`
      INSERT INTO agent_states (session_id, summary, reply_id, cur_iter, permission_mode, working_directories, allow_rules, deny_rules, ask_rules, read_file_cache, activated_groups)
      SELECT id, to_jsonb('Earlier the user asked for a quarterly report; the agent read three files.'::text), md5(id || 'r'), 3, 'default',
             '[{"path": "/work", "source": "session"}]', '[{"toolName": "Bash", "ruleContent": "npm test", "behavior": "allow", "source": "user"}]',
             '[]', '[]', '[{"filePath": "README.md", "lines": ["# Readme", "text"], "updatedAt": 1795000000, "bytes": 14}]', ARRAY['files']
        FROM sessions`);
    // The first longSessions listed sessions get the long histories, the next one the short history.
    await client.query(
      `INSERT INTO messages (session_id, seq, id, name, role, content, metadata, created_at, finished_at, usage, in_context)
       SELECT s.id, g, 'm' || g, CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END,
              (CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END)::message_role,
              CASE g % 4
                WHEN 1 THEN jsonb_build_array(jsonb_build_object('type', 'text', 'id', 'b' || g, 'text', 'Please look at file ' || g || ' and summarise what changed since yesterday.'))
                WHEN 2 THEN jsonb_build_array(
                  jsonb_build_object('type', 'thinking', 'id', 'b' || g || 't', 'thinking', 'I should read the file first.', 'extra', jsonb_build_object('signature', 'sig')),
                  jsonb_build_object('type', 'tool_call', 'id', 'call' || g, 'name', 'Read', 'input', '{"path": "f' || g || '.md"}', 'state', 'finished', 'suggestedRules', '[]'::jsonb, 'extra', null))
                WHEN 3 THEN jsonb_build_array(
                  jsonb_build_object('type', 'tool_result', 'id', 'call' || (g - 1), 'name', 'Read', 'output', 'line one\nline two\nline three', 'state', 'success'),
                  jsonb_build_object('type', 'hint', 'id', 'b' || g || 'h', 'hint', 'Be brief.'))
                ELSE jsonb_build_array(
                  jsonb_build_object('type', 'text', 'id', 'b' || g, 'text', 'Here is the summary you asked for.'),
                  jsonb_build_object('type', 'data', 'id', 'b' || g || 'd', 'name', 'chart.png', 'source', jsonb_build_object('type', 'url', 'url', 'https://example.com/c.png', 'mediaType', 'image/png')))
              END,
              '{}'::jsonb, '2026-11-28T10:00:00.000Z', NULL,
              CASE WHEN g % 2 = 0 THEN '{"inputTokens": 1200, "outputTokens": 80}'::jsonb END, true
         FROM (SELECT id, row_number() OVER (ORDER BY updated_at DESC, id DESC) AS rank FROM sessions) s
        CROSS JOIN LATERAL generate_series(1, CASE WHEN s.rank <= $1::int THEN $2::int WHEN s.rank = $1::int + 1 THEN $5::int
                                                   ELSE $3::int + (abs(hashtext(s.id)) % ($4::int - $3::int + 1)) END) AS g`,
      [options.longSessions, options.longMessages, options.messagesMin, options.messagesMax, options.shortMessages],
    );
    // The counters every write keeps on the session row (the migration computes them the same way).
    await client.query(`
      UPDATE sessions AS s
      SET last_seq = coalesce((SELECT max(m.seq) FROM messages AS m WHERE m.session_id = s.id), 0),
          context_size = (SELECT count(*) FROM messages AS m WHERE m.session_id = s.id AND m.in_context)`);
    await client.query(
      `INSERT INTO tasks (session_id, id, position, subject, description, metadata, created_at, state, owner, blocks, blocked_by)
       SELECT s.id, 't' || g, g, 'Task ' || g, 'Do step ' || g || ' of the plan', '{}'::jsonb, '2026-11-28T10:00:00Z',
              (CASE g % 3 WHEN 0 THEN 'completed' WHEN 1 THEN 'in_progress' ELSE 'pending' END)::task_state, NULL,
              CASE WHEN g < n THEN ARRAY['t' || (g + 1)] ELSE ARRAY[]::text[] END,
              CASE WHEN g > 1 THEN ARRAY['t' || (g - 1)] ELSE ARRAY[]::text[] END
         FROM (SELECT id, abs(hashtext(id || 't')) % ($1::int + 1) AS n FROM sessions) s
        CROSS JOIN LATERAL generate_series(1, s.n) AS g`,
      [options.tasksMax],
    );
    await client.query('ANALYZE');
    const counts = await client.query<{ sessions: number; messages: number; tasks: number }>(
      `SELECT (SELECT count(*)::int FROM sessions) AS sessions, (SELECT count(*)::int FROM messages) AS messages, (SELECT count(*)::int FROM tasks) AS tasks`,
    );
    const long = await client.query<{ id: string }>(
      `SELECT id FROM (SELECT id, row_number() OVER (ORDER BY updated_at DESC, id DESC) AS rank FROM sessions) s WHERE rank <= $1::int ORDER BY rank`,
      [options.longSessions + 1],
    );
    const ranked = long.rows.map((row) => row.id);
    return {
      ...counts.rows[0]!,
      longSessionIds: ranked.slice(0, options.longSessions),
      shortSessionId: ranked[options.longSessions]!,
    };
  } finally {
    await client.end();
  }
}
