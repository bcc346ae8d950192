import { fileURLToPath } from 'node:url';

/** A client under test in the benchmarks: how it was built, and the module that builds it from a policy. */
export interface BenchSubject {
  name: string;
  kind: 'mpgkit' | 'naive' | 'seed';
  module: string;
}

// Subjects are modules of other packages, reached through their exports (development-only entries, under
// the @mpgkit/source condition the bench runs with), or files of the bench itself.
const exported = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));
const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The mpgkit clients are the adapters' conformance subjects: each builds its app client from a policy
// exactly as the adapter's README shows.
export const DRAIN_SUBJECTS: readonly BenchSubject[] = [
  {
    name: 'mpgkit: pg Pool',
    kind: 'mpgkit',
    module: exported('@mpgkit/test-infra/subjects/policy-pg-pool'),
  },
  { name: 'mpgkit: Kysely', kind: 'mpgkit', module: exported('@mpgkit/kysely/conformance-subject') },
  {
    name: 'mpgkit: Drizzle (pg)',
    kind: 'mpgkit',
    module: exported('@mpgkit/drizzle/conformance-subject/node-postgres'),
  },
  {
    name: 'mpgkit: Drizzle (postgres.js)',
    kind: 'mpgkit',
    module: exported('@mpgkit/drizzle/conformance-subject/postgres-js'),
  },
  { name: 'mpgkit: TypeORM', kind: 'mpgkit', module: exported('@mpgkit/typeorm/conformance-subject') },
  { name: 'mpgkit: Prisma 7', kind: 'mpgkit', module: exported('@mpgkit/prisma/conformance-subject') },
  { name: 'mpgkit: Knex', kind: 'mpgkit', module: exported('@mpgkit/knex/conformance-subject') },
  {
    name: 'mpgkit: Sequelize',
    kind: 'mpgkit',
    module: exported('@mpgkit/sequelize/conformance-subject'),
  },
  {
    name: 'naive pg Pool',
    kind: 'naive',
    module: exported('@mpgkit/test-infra/subjects/naive-pg-pool'),
  },
  {
    name: 'pg Pool, listeners, no lifetime',
    kind: 'naive',
    module: at('./subjects/listeners-no-lifetime-pg-pool.ts'),
  },
  { name: "seed's hand-written pg Pool", kind: 'seed', module: at('./subjects/seed-pg-pool.ts') },
  {
    name: 'knex with its defaults',
    kind: 'naive',
    module: exported('@mpgkit/knex/conformance-subject/defaults'),
  },
  {
    name: 'Sequelize with its defaults',
    kind: 'naive',
    module: exported('@mpgkit/sequelize/conformance-subject/defaults'),
  },
];
