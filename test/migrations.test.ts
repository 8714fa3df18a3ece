import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../src/app.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { applyMigrations, MigrationError, readMigrations, type Migration } from '../src/db/migrate.js';
import type { SqlConnection } from '../src/db/sql.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { testAppConfig } from './support/fixtures.js';

const silent = pino({ level: 'silent' });

let testDatabase: TestDatabase;
let database: Database;
let connection: SqlConnection;
let migrations: Migration[];

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  database = await openDatabase(testDatabase.options);
  connection = await database.connect();
  migrations = await readMigrations();
  await applyMigrations(connection, migrations);
});

afterAll(async () => {
  await connection.release();
  await database.close();
  await testDatabase.drop();
});

describe('the migration runner', () => {
  test('records each migration as Prisma does', async () => {
    const rows = await connection.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
      id: string;
    }>(
      'SELECT id, migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((row) => row.migration_name)).toEqual(migrations.map((migration) => migration.name));
    for (const row of rows) {
      const file = readFileSync(new URL(`../prisma/migrations/${row.migration_name}/migration.sql`, import.meta.url));
      expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  test('running again is a no-op', async () => {
    const report = await applyMigrations(connection, migrations);
    expect(report).toEqual({ applied: [], alreadyApplied: migrations.map((migration) => migration.name) });
    const [row] = await connection.query<{ count: number }>('SELECT count(*)::int AS count FROM "_prisma_migrations"');
    expect(row?.count).toBe(migrations.length);
  });

  test('a failing migration is rolled back, not recorded, and named in the error', async () => {
    const broken: Migration = {
      name: '29990101000000_broken',
      script: 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;',
      checksum: 'x',
    };
    await expect(applyMigrations(connection, [...migrations, broken])).rejects.toThrow(
      /Migration 29990101000000_broken failed and was rolled back: .*no_such_table/,
    );
    const tables = await connection.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    expect(tables).toHaveLength(0);
    const recorded = await connection.query(
      `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
    );
    expect(recorded).toHaveLength(0);
  });

  test('an applied migration that changed on disk stops start-up with a clear message', async () => {
    const [first] = migrations;
    await connection.query('UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = $2', [
      '0'.repeat(64),
      first!.name,
    ]);
    try {
      // Another instance starting on the same database refuses to serve.
      await connection.release();
      await database.close();
      const startup = createApp(testAppConfig(testDatabase.options), silent);
      await expect(startup).rejects.toBeInstanceOf(MigrationError);
      await expect(startup).rejects.toThrow(`Migration ${first!.name} was modified after it was applied`);
    } finally {
      database = await openDatabase(testDatabase.options);
      connection = await database.connect();
      await connection.query('UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = $2', [
        first!.checksum,
        first!.name,
      ]);
    }
  });
});

/* Drift: the database the migrations build must be the one schema.prisma describes. */

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: Array<{ name: string; sortOrder?: 'asc' | 'desc' }>;
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: Array<{ name: string; dbName: string | null; values: Array<{ name: string; dbName: string | null }> }>;
    indexes: DmmfIndex[];
  };
}

function loadDmmf(): Dmmf {
  const wasm = createRequire(import.meta.url)('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };
  const schema = readFileSync(new URL('../prisma/schema.prisma', import.meta.url), 'utf8');
  return JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schema]] })));
}

function columnType(field: DmmfField, enumNames: Map<string, string>): string {
  if (field.isList) return `${scalarType(field, enumNames)}[]`;
  return scalarType(field, enumNames);
}

function scalarType(field: DmmfField, enumNames: Map<string, string>): string {
  if (field.kind === 'enum') return enumNames.get(field.type)!;
  const [native, args = []] = field.nativeType ?? [];
  switch (field.type) {
    case 'String':
      return native === 'VarChar' ? `character varying(${args[0]})` : 'text';
    case 'Int':
      return 'integer';
    case 'Float':
      return 'double precision';
    case 'Boolean':
      return 'boolean';
    case 'Json':
      return 'jsonb';
    case 'DateTime':
      return native === 'Timestamptz'
        ? `timestamp(${args[0] ?? 3}) with time zone`
        : `timestamp(${args[0] ?? 3}) without time zone`;
    default:
      throw new Error(`The drift check does not know Prisma type ${field.type}; teach it.`);
  }
}

function expectedShape(dmmf: Dmmf) {
  const enumNames = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const tableOf = new Map(dmmf.datamodel.models.map((model) => [model.name, model.dbName ?? model.name]));
  const columnOf = (model: DmmfModel, name: string) => {
    const field = model.fields.find((candidate) => candidate.name === name)!;
    return field.dbName ?? field.name;
  };
  const columns: string[] = [];
  const foreignKeys: string[] = [];
  for (const model of dmmf.datamodel.models) {
    const table = tableOf.get(model.name)!;
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.relationFromFields?.length) {
          const from = field.relationFromFields.map((name) => columnOf(model, name)).join(',');
          foreignKeys.push(
            `${table}(${from}) -> ${tableOf.get(field.type)} on delete ${(field.relationOnDelete ?? 'NoAction').toUpperCase()}`,
          );
        }
        continue;
      }
      // Prisma never marks list columns NOT NULL.
      const nullable = field.isList || !field.isRequired;
      columns.push(
        `${table}.${field.dbName ?? field.name} ${columnType(field, enumNames)}${nullable ? '' : ' not null'}${field.hasDefaultValue ? ' default' : ''}`,
      );
    }
  }
  const indexes = dmmf.datamodel.indexes.map((index) => {
    const model = dmmf.datamodel.models.find((candidate) => candidate.name === index.model)!;
    const table = tableOf.get(model.name)!;
    const cols = index.fields.map((field) => columnOf(model, field.name));
    const suffix = { id: 'pkey', unique: 'key', normal: 'idx', fulltext: 'idx' }[index.type];
    const name = index.dbName ?? (index.type === 'id' ? `${table}_pkey` : `${table}_${cols.join('_')}_${suffix}`);
    const keys = index.fields.map((field, i) => `${cols[i]}${field.sortOrder === 'desc' ? ' DESC' : ''}`).join(', ');
    return `${name} ${index.type === 'normal' ? '' : 'UNIQUE '}ON ${table} (${keys})`;
  });
  const enums = dmmf.datamodel.enums.map(
    (e) => `${e.dbName ?? e.name}: ${e.values.map((value) => value.dbName ?? value.name).join(',')}`,
  );
  return { columns: columns.sort(), indexes: indexes.sort(), foreignKeys: foreignKeys.sort(), enums: enums.sort() };
}

async function actualShape(sql: SqlConnection) {
  const columns = await sql.query<{ column: string }>(`
    SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
           || CASE WHEN a.atthasdef THEN ' default' ELSE '' END AS column
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
     WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'`);
  const indexes = await sql.query<{ index: string }>(`
    SELECT i.relname || ' ' || CASE WHEN ix.indisunique THEN 'UNIQUE ' ELSE '' END || 'ON ' || t.relname || ' ('
           || string_agg(a.attname || CASE WHEN ix.indoption[k.ord - 1] & 1 = 1 THEN ' DESC' ELSE '' END, ', ' ORDER BY k.ord) || ')' AS index
      FROM pg_index ix
      JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
      CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE t.relname <> '_prisma_migrations'
     GROUP BY i.relname, ix.indisunique, t.relname`);
  const foreignKeys = await sql.query<{ key: string }>(`
    SELECT src.relname || '(' || string_agg(a.attname, ',' ORDER BY k.ord) || ') -> ' || dst.relname || ' on delete '
           || CASE con.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT' WHEN 'n' THEN 'SETNULL' WHEN 'd' THEN 'SETDEFAULT' ELSE 'NOACTION' END AS key
      FROM pg_constraint con
      JOIN pg_class src ON src.oid = con.conrelid
      JOIN pg_class dst ON dst.oid = con.confrelid
      JOIN pg_namespace n ON n.oid = src.relnamespace AND n.nspname = current_schema()
      CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
     WHERE con.contype = 'f'
     GROUP BY con.oid, src.relname, dst.relname, con.confdeltype`);
  const enums = await sql.query<{ enum: string }>(`
    SELECT t.typname || ': ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS enum
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = current_schema()
     GROUP BY t.typname`);
  return {
    columns: columns.map((row) => row.column).sort(),
    indexes: indexes.map((row) => row.index).sort(),
    foreignKeys: foreignKeys.map((row) => row.key).sort(),
    enums: enums.map((row) => row.enum).sort(),
  };
}

describe('schema.prisma and the migrations', () => {
  test('build the same database: tables, columns, types, nullability, defaults, keys, indexes, enums', async () => {
    const expected = expectedShape(loadDmmf());
    expect(expected.columns.length).toBeGreaterThan(30);
    expect(await actualShape(connection)).toEqual(expected);
  });
});
