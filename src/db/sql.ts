/**
 * The few raw-SQL operations the service needs beside Prisma (migrations, readiness), over
 * one dedicated connection so that session-level state such as an advisory lock holds.
 */
export interface SqlConnection {
  /** Runs one parameterised statement and returns its rows. */
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements (a migration file). */
  exec(script: string): Promise<void>;
  release(): Promise<void>;
}
