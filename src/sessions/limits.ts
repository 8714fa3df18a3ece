/**
 * What the service accepts, in one place: validation uses these, the README documents them.
 * Sizes are in characters (strings), entries (lists) or bytes of serialised JSON (objects).
 */
export const LIMITS = {
  /** Ids of sessions, agents, workspaces, schedules, messages, blocks and tasks. */
  idLength: 255,
  /** Session display name. */
  nameLength: 500,
  /** Short labels: model type/name, credential id, tool names, rule sources, media types, paths. */
  labelLength: 1_000,
  /** A message's `name` (who spoke). */
  messageNameLength: 255,
  /** `createdAt`/`finishedAt` of messages and tasks, kept as the runtime wrote them. */
  timestampLength: 64,
  /** Free text: block text, thinking, hints, tool input/output, summaries, task descriptions. */
  textLength: 1_000_000,
  /** Inline base64 payload of a data block. */
  dataLength: 5_000_000,
  /** `parameters`, `metadata` and provider `extra` objects, serialised. */
  jsonObjectBytes: 65_536,
  /** Nesting of those objects (deeper would overflow the stack while serialising). */
  jsonObjectDepth: 64,
  contentBlocksPerMessage: 500,
  contextMessages: 5_000,
  tasks: 1_000,
  taskLinks: 1_000,
  rulesPerList: 1_000,
  workingDirectories: 200,
  readFileCacheEntries: 1_000,
  linesPerCacheEntry: 100_000,
  activatedGroups: 200,
  /** Messages per page of a history (GraphQL and REST), as upstream's `limit` (1–200). */
  maxMessagePage: 200,
  defaultMessagePage: 50,
  /** Messages appended in one call. */
  appendedMessages: 1_000,
  /** How long an idempotency key is remembered after its first use. */
  idempotencyKeyLifetimeHours: 24,
  /** REST `offset` values (PostgreSQL's OFFSET is a bigint; anything near it is a mistake). */
  maxOffset: 1_000_000_000,
  /** Sessions per page of the list query. */
  maxPageSize: 100,
  defaultPageSize: 20,
  /** Sessions per REST list response: upstream returns them all, this service at most this many. */
  maxRestListSize: 1_000,
} as const;
