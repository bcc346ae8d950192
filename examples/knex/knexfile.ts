// For knex's CLI (`npx knex migrate:latest`, `migrate:make`): the direct URL, one connection.
import { knexfileConfig } from '@mpgkit/knex';
import { policy } from './src/db-policy.ts';

export default knexfileConfig(policy, {
  migrations: {
    directory: './src/migrations',
    loadExtensions: ['.ts'],
    tableName: 'knex_example_migrations',
  },
});
