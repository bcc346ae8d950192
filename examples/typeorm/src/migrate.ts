// The release command. TypeORM's migrations take no lock: runMigrationsWithLock serialises overlapping deploys.
import { runMigrationsWithLock } from '@mpgkit/typeorm';
import migrationDataSource from './data-source.ts';

await migrationDataSource.initialize();
try {
  const applied = await runMigrationsWithLock(migrationDataSource);
  console.log(
    `migrations applied (direct URL): ${applied.map((migration) => migration.name).join(', ') || 'none pending'}`,
  );
} finally {
  await migrationDataSource.destroy();
}
