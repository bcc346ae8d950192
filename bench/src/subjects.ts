import { fileURLToPath } from 'node:url';

/** A client under test in the benchmarks: how it was built, and the module that builds it from a policy. */
export interface BenchSubject {
  name: string;
  kind: 'mpgkit' | 'naive' | 'seed';
  module: string;
}

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The mpgkit clients are the adapters' conformance subjects: each builds its app client from a policy
// exactly as the adapter's README shows.
export const DRAIN_SUBJECTS: readonly BenchSubject[] = [
  {
    name: 'mpgkit: pg Pool',
    kind: 'mpgkit',
    module: at('../../test-infra/src/conformance/subjects/policy-pg-pool.ts'),
  },
  { name: 'mpgkit: Kysely', kind: 'mpgkit', module: at('../../packages/kysely/test/kysely-subject.ts') },
  {
    name: 'mpgkit: Drizzle (pg)',
    kind: 'mpgkit',
    module: at('../../packages/drizzle/test/node-postgres-subject.ts'),
  },
  {
    name: 'mpgkit: Drizzle (postgres.js)',
    kind: 'mpgkit',
    module: at('../../packages/drizzle/test/postgres-js-subject.ts'),
  },
  { name: 'mpgkit: TypeORM', kind: 'mpgkit', module: at('../../packages/typeorm/test/typeorm-subject.ts') },
  { name: 'mpgkit: Prisma 7', kind: 'mpgkit', module: at('../../packages/prisma/test/prisma7-subject.ts') },
  {
    name: 'naive pg Pool',
    kind: 'naive',
    module: at('../../test-infra/src/conformance/subjects/naive-pg-pool.ts'),
  },
  {
    name: 'pg Pool, listeners, no lifetime',
    kind: 'naive',
    module: at('./subjects/listeners-no-lifetime-pg-pool.ts'),
  },
  { name: "seed's hand-written pg Pool", kind: 'seed', module: at('./subjects/seed-pg-pool.ts') },
];
