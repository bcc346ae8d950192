import { createDataSource, createMigrationDataSource } from '@mpgkit/typeorm';
import { policy } from './db-policy.ts';
import { OrderEntity } from './entities.ts';
import { CreateOrders1700000000000 } from './migrations/1700000000000-CreateOrders.ts';

/** The app's DataSource: pooled URL, pool size from the budget, lifetime and idle in `extra`. */
export const appDataSource = createDataSource(policy, { entities: [OrderEntity] });

/** For migrations and the TypeORM CLI (`typeorm migration:run -d src/data-source.ts`): the direct URL. */
export default createMigrationDataSource(policy, {
  entities: [OrderEntity],
  migrations: [CreateOrders1700000000000],
  migrationsTableName: 'typeorm_example_migrations',
});
