/**
 * The SDL of a second neighbour subgraph, as another team would write it without knowing ours: its
 * own Relay connections and PageInfo, its own `Message`, `Task` and `Usage`, its own `JSON` and
 * `DateTime` scalars — the generic names a sessions subgraph must not collide with. It points at a
 * session by key, as any subgraph may.
 */
export const WORKFLOWS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@shareable"])

  """An instant in ISO-8601 form."""
  scalar DateTime

  """Any JSON value."""
  scalar JSON

  type Query {
    tasks(first: Int = 20, after: String): TaskConnection!
    inbox(first: Int = 20, after: String): MessageConnection!
  }

  type PageInfo @shareable {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type Task @key(fields: "id") {
    id: ID!
    title: String!
    dueAt: DateTime
    payload: JSON
    usage: Usage
    origin: Session
  }

  type TaskConnection {
    edges: [TaskEdge!]!
    pageInfo: PageInfo!
  }

  type TaskEdge {
    cursor: String!
    node: Task!
  }

  type Message @key(fields: "id") {
    id: ID!
    subject: String!
    sentAt: DateTime!
  }

  type MessageConnection {
    edges: [MessageEdge!]!
    pageInfo: PageInfo!
  }

  type MessageEdge {
    cursor: String!
    node: Message!
  }

  type Usage {
    minutes: Int!
  }

  type Session @key(fields: "id", resolvable: false) {
    id: ID!
  }
`;
