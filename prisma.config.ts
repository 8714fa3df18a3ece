import { defineConfig } from 'prisma/config';

// The service applies migrations itself (src/db/migrate.ts); this file tells the Prisma CLI
// where the schema and migrations are, and which database `prisma migrate deploy` targets.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
